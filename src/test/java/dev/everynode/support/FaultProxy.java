package dev.everynode.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;

/**
 * An in-JVM TCP proxy for fault injection: forwards each accepted connection to one of its upstream ports (round
 * robin, skipping those its health check calls down, like a load balancer with a readiness probe), and can
 * <b>blackhole</b> everything (bytes are held, not forwarded, and connections are neither reset nor closed: a
 * partition, not a crash) or <b>cut</b> everything (every connection closed at once). Used between the replicas and
 * PostgreSQL, and between the simulated agents and the replicas.
 */
public final class FaultProxy implements AutoCloseable {

    private final String name;
    private final ServerSocket server;
    private final List<Integer> upstreams;
    private final Set<Integer> down = ConcurrentHashMap.newKeySet();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    private final AtomicInteger next = new AtomicInteger();
    private final Object gate = new Object();
    private volatile boolean blackholed;
    private volatile boolean running = true;

    private FaultProxy(String name, List<Integer> upstreams) throws IOException {
        this.name = name;
        this.upstreams = List.copyOf(upstreams);
        this.server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress("127.0.0.1", 0), 1024);
        start(name + "-accept", this::acceptLoop);
    }

    /** A proxy to one upstream port. */
    public static FaultProxy to(String name, int upstream) throws IOException {
        return new FaultProxy(name, List.of(upstream));
    }

    /**
     * A proxy spread over several upstream HTTP ports, each checked every 500 ms with {@code GET /livez} (1 s
     * timeout); new connections go to the ones that answered, or to all when none did.
     */
    public static FaultProxy balancing(String name, List<Integer> upstreams) throws IOException {
        FaultProxy proxy = new FaultProxy(name, upstreams);
        proxy.start(name + "-health", () -> proxy.healthLoop(port -> {
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create("http://127.0.0.1:" + port + "/livez").toURL()
                        .openConnection();
                c.setConnectTimeout(1000);
                c.setReadTimeout(1000);
                try {
                    return c.getResponseCode() == 200;
                } finally {
                    c.disconnect();
                }
            } catch (IOException e) {
                return false;
            }
        }));
        return proxy;
    }

    public int port() {
        return server.getLocalPort();
    }

    /** Holds every byte in both directions, on open and new connections, until {@link #restore()}. */
    public void blackhole() {
        blackholed = true;
    }

    public void restore() {
        synchronized (gate) {
            blackholed = false;
            gate.notifyAll();
        }
    }

    /** Closes every open connection (new ones are still accepted). */
    public void cut() {
        for (Socket s : open) {
            closeQuietly(s);
        }
    }

    public int openConnections() {
        return open.size();
    }

    @Override
    public void close() {
        running = false;
        restore();
        closeQuietly(server);
        cut();
        threads.forEach(Thread::interrupt);
    }

    // ---------------------------------------------------------------------------------------------------------

    private void acceptLoop() {
        while (running) {
            try {
                Socket client = server.accept();
                start(name + "-conn", () -> connect(client));
            } catch (IOException e) {
                if (running) {
                    sleep(10);
                }
            }
        }
    }

    private void connect(Socket client) {
        open.add(client);
        awaitNotBlackholed();
        Socket upstream = null;
        for (int i = 0; i < upstreams.size() && upstream == null; i++) {
            int port = pick();
            try {
                Socket s = new Socket();
                s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
                upstream = s;
            } catch (IOException e) {
                down.add(port);
            }
        }
        if (upstream == null) {
            open.remove(client);
            closeQuietly(client);
            return;
        }
        try {
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
        } catch (IOException ignored) {
            // best effort
        }
        open.add(upstream);
        Socket up = upstream;
        start(name + "-up", () -> pump(client, up));
        pump(up, client);
    }

    private int pick() {
        List<Integer> healthy = upstreams.stream().filter(p -> !down.contains(p)).toList();
        List<Integer> from = healthy.isEmpty() ? upstreams : healthy;
        return from.get(Math.floorMod(next.getAndIncrement(), from.size()));
    }

    private void pump(Socket from, Socket to) {
        byte[] buffer = new byte[16384];
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                awaitNotBlackholed();
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // one side closed or was cut: close both
        } finally {
            open.remove(from);
            open.remove(to);
            closeQuietly(from);
            closeQuietly(to);
            threads.remove(Thread.currentThread());
        }
    }

    private void healthLoop(IntPredicate healthy) {
        while (running) {
            for (int port : upstreams) {
                if (healthy.test(port)) {
                    down.remove(port);
                } else {
                    down.add(port);
                }
            }
            sleep(500);
        }
    }

    private void awaitNotBlackholed() {
        synchronized (gate) {
            while (blackholed && running) {
                try {
                    gate.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void start(String threadName, Runnable body) {
        Thread t = new Thread(null, body, threadName, 64 * 1024);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
