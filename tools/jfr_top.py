#!/usr/bin/env python3
"""Where a JFR recording's CPU samples or allocation go, by thread, pipeline stage and top frame.

    jfr print --json --events jdk.ExecutionSample app.jfr > cpu.json
    python3 tools/jfr_top.py cpu.json
    jfr print --json --events jdk.ObjectAllocationSample app.jfr > alloc.json
    python3 tools/jfr_top.py alloc.json jdk.ObjectAllocationSample

A sample's stage is that of the first frame, from the top of its stack, of one of the packages below: the code
doing the work, whoever called it. Allocation samples are weighted by the bytes they stand for.
"""
import collections
import json
import re
import sys

STAGES = [
    ('embedded MongoDB server (mongo-java-server, H2)', r'^(de\.bwaldvogel|org\.h2|pulse\.embedded\.mongo)\.'),
    ('MongoDB driver (encode, I/O)', r'^(com\.mongodb|org\.bson)\.'),
    ('event parse', r'^(pulse\.event|com\.fasterxml)\.'),
    ('fold', r'^pulse\.aggregate\.'),
    ('upserts built', r'^pulse\.store\.'),
    ('batch read, coalesce', r'^pulse\.(kafka|pipeline)\.'),
    ('camel-kafka: exchange per record', r'^org\.apache\.camel\.component\.kafka\.'),
    ('Camel core', r'^org\.apache\.camel\.'),
    ('Kafka client: fetch, records', r'^org\.apache\.kafka\.'),
    ('Netty (MongoDB wire server)', r'^io\.netty\.'),
    ('Vert.x (HTTP)', r'^io\.vertx\.'),
    ('Micrometer', r'^io\.micrometer\.'),
]


def main():
    path = sys.argv[1]
    event = sys.argv[2] if len(sys.argv) > 2 else 'jdk.ExecutionSample'
    events = [e for e in json.load(open(path))['recording']['events'] if e['type'] == event]
    total = 0
    threads, stages, tops = collections.Counter(), collections.Counter(), collections.Counter()
    for e in events:
        values = e['values']
        weight = values.get('weight', 1) if event == 'jdk.ObjectAllocationSample' else 1
        frames = [f['method']['type']['name'].replace('/', '.') + '.' + f['method']['name']
                  for f in ((values.get('stackTrace') or {}).get('frames') or [])]
        thread = values.get('sampledThread') or values.get('eventThread') or {}
        total += weight
        threads[re.sub(r'\d+', 'N', thread.get('javaName') or thread.get('osName') or '?')] += weight
        stages[stage(frames)] += weight
        tops[frames[0] if frames else '?'] += weight
    print(f'{event}: {len(events)} samples' + (f', {total:,} bytes' if event == 'jdk.ObjectAllocationSample' else ''))
    for title, counter, n in (('threads', threads, 10), ('stages', stages, 16), ('top frames', tops, 20)):
        print('--- ' + title)
        for key, value in counter.most_common(n):
            print(f'{100 * value / total:5.1f}%  {key}')


def stage(frames):
    for frame in frames:
        for name, pattern in STAGES:
            if re.match(pattern, frame):
                return name
    return 'JDK only: ' + (frames[0] if frames else '?')


if __name__ == '__main__':
    main()
