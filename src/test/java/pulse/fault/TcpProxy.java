package pulse.fault;

import com.mongodb.ConnectionString;
import com.mongodb.ServerAddress;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP proxy on 127.0.0.1 in front of one server, that can fail it in two ways:
 * <ul>
 *   <li>{@link #cut()} closes every connection and stops listening, so new connections are refused, exactly as if
 *   the server had gone away;</li>
 *   <li>{@link #stall()} stops forwarding in both directions but keeps every connection open and accepts new ones,
 *   as a frozen server or a network that drops packets without resets: a client waiting for a reply blocks until
 *   its own timeouts fire, if it has any.</li>
 * </ul>
 * {@link #resume()} ends either: it listens again on the same port and forwards what was held.
 * {@link #holdReplyAfter} stalls the proxy at one precise point of a conversation. All its threads are daemons.
 */
final class TcpProxy implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private ServerSocket server;
    private boolean stalled;
    private volatile Trigger trigger;

    TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = bind(0);
        this.port = server.getLocalPort();
        acceptLoop(server);
    }

    /**
     * Why a proxy cannot stand between the app and the MongoDB of {@code mongoUri}, or empty when it can: the URI
     * names one server, not a replica set (whose members the driver reaches at the addresses the set advertises,
     * around the proxy), and no TLS (whose host name check would fail on the proxy's address).
     */
    static Optional<String> cannotStandInFrontOf(String mongoUri) {
        ConnectionString connection = new ConnectionString(mongoUri);
        if (connection.isSrvProtocol() || connection.getHosts().size() != 1 || connection.getRequiredReplicaSetName() != null) {
            return Optional.of("MongoDB " + connection.getHosts() + " is a replica set (or an SRV record): the driver connects"
                    + " to the members' own addresses, so a proxy cannot cut or stall the app's connections to it");
        }
        if (Boolean.TRUE.equals(connection.getSslEnabled())) {
            return Optional.of("MongoDB " + connection.getHosts() + " is reached over TLS, whose host name check fails"
                    + " through a proxy");
        }
        return Optional.empty();
    }

    /** A proxy in front of the one server of a MongoDB connection string (see {@link #cannotStandInFrontOf}). */
    static TcpProxy inFrontOf(String mongoUri) {
        cannotStandInFrontOf(mongoUri).ifPresent(reason -> {
            throw new IllegalArgumentException(reason);
        });
        ServerAddress address = new ServerAddress(new ConnectionString(mongoUri).getHosts().get(0));
        return new TcpProxy(address.getHost(), address.getPort());
    }

    /** {@code mongoUri} (credentials, database and options kept) with this proxy in place of its server. */
    String mongoUri(String mongoUri) {
        String host = new ConnectionString(mongoUri).getHosts().get(0);
        int start = mongoUri.indexOf("://") + 3;
        int end = mongoUri.indexOf('/', start) < 0 ? mongoUri.length() : mongoUri.indexOf('/', start);
        int credentials = mongoUri.lastIndexOf('@', end);
        int at = mongoUri.toLowerCase(Locale.ROOT).indexOf(host.toLowerCase(Locale.ROOT),
                credentials >= start ? credentials + 1 : start);
        return mongoUri.substring(0, at) + "127.0.0.1:" + port + mongoUri.substring(at + host.length());
    }

    int port() {
        return port;
    }

    /** Closes every open connection and refuses new ones until {@link #resume()}. */
    synchronized void cut() {
        if (server != null) {
            closeQuietly(server);
            server = null;
        }
        sockets.forEach(TcpProxy::closeQuietly);
        sockets.clear();
        synchronized (gate) {
            gate.notifyAll();
        }
    }

    /** Forwards nothing more, either way, on any connection, until {@link #resume()}; connections stay open. */
    void stall() {
        synchronized (gate) {
            stalled = true;
        }
    }

    /**
     * Once a client sends a chunk that contains {@code request} (matched within one read, so a short request, such
     * as a command's name and collection at the start of a MongoDB message), the proxy waits for the server's reply
     * to it and then {@link #stall()}s, holding that reply: the server has done what was asked, the client does not
     * know it. The future completes at that moment. One shot.
     */
    CompletableFuture<Void> holdReplyAfter(byte[] request) {
        Trigger armed = new Trigger(request);
        trigger = armed;
        return armed.held;
    }

    /** Accepts connections again on the same port, and forwards again what was held. */
    synchronized void resume() {
        if (server == null) {
            server = bind(port);
            acceptLoop(server);
        }
        synchronized (gate) {
            stalled = false;
            gate.notifyAll();
        }
    }

    private static ServerSocket bind(int port) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on port " + port, e);
        }
    }

    private void acceptLoop(ServerSocket listening) {
        daemon("tcp-proxy-accept-" + port, () -> {
            while (!listening.isClosed()) {
                Socket client;
                try {
                    client = listening.accept();
                } catch (IOException e) {
                    return; // closed by cut() or close()
                }
                connect(client);
            }
        });
    }

    private void connect(Socket client) {
        Socket upstream = new Socket();
        try {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            upstream.connect(new InetSocketAddress(targetHost, targetPort), 5000);
        } catch (IOException e) {
            closeQuietly(client);
            closeQuietly(upstream);
            return;
        }
        synchronized (this) {
            if (server == null) { // cut while connecting
                closeQuietly(client);
                closeQuietly(upstream);
                return;
            }
            sockets.add(client);
            sockets.add(upstream);
        }
        Link link = new Link();
        daemon("tcp-proxy-up-" + client.getPort(), () -> pump(client, upstream, link, true));
        daemon("tcp-proxy-down-" + client.getPort(), () -> pump(upstream, client, link, false));
    }

    private void pump(Socket from, Socket to, Link link, boolean request) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int read;
            while ((read = in.read(buffer)) >= 0) {
                Trigger armed = trigger;
                if (request && armed != null && armed.matches(buffer, read)) {
                    link.holdReply = armed;
                } else if (!request && link.holdReply != null) {
                    stall();
                    link.holdReply.held.complete(null);
                    link.holdReply = null;
                }
                awaitForwarding(from);
                out.write(buffer, 0, read);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed or was cut
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            closeQuietly(from);
            closeQuietly(to);
            sockets.remove(from);
            sockets.remove(to);
        }
    }

    private void awaitForwarding(Socket from) throws InterruptedException, IOException {
        synchronized (gate) {
            while (stalled) {
                if (from.isClosed()) {
                    throw new IOException("closed while stalled");
                }
                gate.wait(200);
            }
        }
    }

    private static void daemon(String name, Runnable task) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        cut();
    }

    /** A connection's two directions. */
    private static final class Link {
        volatile Trigger holdReply;
    }

    private static final class Trigger {
        final byte[] request;
        final AtomicBoolean fired = new AtomicBoolean();
        final CompletableFuture<Void> held = new CompletableFuture<>();

        Trigger(byte[] request) {
            this.request = request;
        }

        /** True once: for the first chunk that contains the request. */
        boolean matches(byte[] buffer, int length) {
            return !fired.get() && indexOf(buffer, length, request) >= 0 && fired.compareAndSet(false, true);
        }

        private static int indexOf(byte[] buffer, int length, byte[] pattern) {
            outer:
            for (int i = 0; i <= length - pattern.length; i++) {
                for (int j = 0; j < pattern.length; j++) {
                    if (buffer[i + j] != pattern[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }

    /** The bytes of a BSON string element {@code name: value}, as they appear in a MongoDB command. */
    static byte[] bsonString(String name, String value) {
        byte[] key = name.getBytes(StandardCharsets.UTF_8);
        byte[] text = value.getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[1 + key.length + 1 + 4 + text.length + 1];
        int i = 0;
        bytes[i++] = 0x02; // string
        System.arraycopy(key, 0, bytes, i, key.length);
        i += key.length + 1; // name, NUL
        int size = text.length + 1;
        bytes[i++] = (byte) size;
        bytes[i++] = (byte) (size >>> 8);
        bytes[i++] = (byte) (size >>> 16);
        bytes[i++] = (byte) (size >>> 24);
        System.arraycopy(text, 0, bytes, i, text.length); // then NUL
        return bytes;
    }
}
