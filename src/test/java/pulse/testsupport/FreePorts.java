package pulse.testsupport;

import org.apache.camel.test.AvailablePortFinder;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Ports that were free a moment ago, for the servers the tests start (the app's HTTP servers, brokers, proxies), each
 * handed out once per test JVM: two asked for in a row are never the same.
 */
public final class FreePorts {

    private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    public static int next() {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = AvailablePortFinder.getNextAvailable();
            if (HANDED_OUT.add(port)) {
                return port;
            }
        }
        throw new IllegalStateException("No free port that was not handed out already");
    }
}
