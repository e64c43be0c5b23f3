package pulse.embedded;

import pulse.config.InvalidConfigurationException;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Fails early, naming the property to change, when an embedded server's port is taken. */
final class Ports {

    private Ports() {
    }

    static void requireFree(String host, int port, String property, String alternative) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true); // like the servers themselves: TIME_WAIT leftovers must not count as "in use"
            socket.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new InvalidConfigurationException(property,
                    "= " + port + ": port " + port + " on " + host + " is already in use; set " + property
                            + " to a free port, or " + alternative);
        }
    }
}
