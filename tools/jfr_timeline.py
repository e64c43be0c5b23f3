#!/usr/bin/env python3
"""Second by second, which of the app's threads were running: its Kafka consumers reading and folding, its
embedded MongoDB server writing, H2 serialising pages, and the JVM's share of the machine's CPU.

    jfr print --json --events jdk.ExecutionSample,jdk.CPULoad app.jfr > timeline.json
    python3 tools/jfr_timeline.py timeline.json

A second in which the consumers hardly run while the server does is a second in which no thread reads Kafka:
the consumers are waiting for their writes. Counts are JFR's execution samples (one per running Java thread
every 10 ms with settings=profile, 20 ms with the default settings).
"""
import collections
import json
import sys

GROUPS = (('consumers', 'KafkaConsumer'), ('mongo server', 'mongo-server-worker'), ('H2 serialisation', 'serialization'))


def main():
    events = json.load(open(sys.argv[1]))['recording']['events']
    samples = collections.defaultdict(collections.Counter)
    load = {}
    for e in events:
        values = e['values']
        second = values['startTime'][11:19]
        if e['type'] == 'jdk.CPULoad':
            load[second] = (values['jvmUser'] + values['jvmSystem'], values['machineTotal'])
        elif e['type'] == 'jdk.ExecutionSample':
            thread = values.get('sampledThread') or {}
            name = thread.get('javaName') or thread.get('osName') or '?'
            group = next((label for label, part in GROUPS if part in name), 'other')
            samples[second][group] += 1
    labels = [label for label, _ in GROUPS] + ['other']
    print('UTC       ' + ' '.join(f'{label:>16}' for label in labels) + '   JVM CPU / machine CPU (share of all cores)')
    for second in sorted(set(samples) | set(load)):
        counts = ' '.join(f'{samples[second][label]:>16}' for label in labels)
        jvm, machine = load.get(second, (float('nan'), float('nan')))
        print(f'{second}  {counts}   {jvm:.2f} / {machine:.2f}')


if __name__ == '__main__':
    main()
