package dev.everynode.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An embedded PostgreSQL 17 (zonky) on a data directory and port of its own that a fault test can stop the way
 * {@code pg_ctl stop -m fast} does (zonky's own stop) or {@code -m immediate} does (SIGQUIT to the postmaster: no
 * checkpoint, crash recovery at the next start), and start again on the same data and port.
 */
public final class RestartablePostgres implements AutoCloseable {

    private final Path dataDirectory;
    private final int port;
    private EmbeddedPostgres pg;

    public RestartablePostgres(Path dataDirectory, int port) throws IOException {
        this.dataDirectory = dataDirectory;
        this.port = port;
        start();
    }

    public synchronized void start() throws IOException {
        if (pg != null) {
            return;
        }
        pg = EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false).setPort(port)
                .setRegisterShutdownHook(false)
                .setServerConfig("max_connections", "200")
                .setServerConfig("fsync", "on")
                // zonky defaults to synchronous_commit off: an immediate stop would then lose commits already
                // answered 201 (seen: a namespace of the ledger gone after crash recovery)
                .setServerConfig("synchronous_commit", "on")
                // a small WAL, so that a size-limited file system fills with data, not with WAL segments
                .setServerConfig("max_wal_size", "96MB").setServerConfig("min_wal_size", "32MB")
                .setPGStartupWait(java.time.Duration.ofSeconds(60))
                .start();
    }

    /** Like {@code pg_ctl stop -m fast}: clients disconnected, a shutdown checkpoint. */
    public synchronized void stopFast() throws IOException {
        if (pg != null) {
            pg.close();
            pg = null;
        }
    }

    /** Like {@code pg_ctl stop -m immediate}: SIGQUIT to the postmaster, crash recovery at the next start. */
    public synchronized void stopImmediate() throws IOException, InterruptedException {
        if (pg == null) {
            return;
        }
        long pid = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid"), StandardCharsets.US_ASCII)
                .get(0).trim());
        Process kill = new ProcessBuilder("kill", "-QUIT", Long.toString(pid)).inheritIO().start();
        kill.waitFor(10, TimeUnit.SECONDS);
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join());
        release();
    }

    /**
     * Starts PostgreSQL again if its postmaster is gone (e.g. it stopped itself after a failed crash recovery on a
     * full disk), as an operator would; true if it had to.
     */
    public synchronized boolean ensureRunning() throws IOException, InterruptedException {
        for (int i = 0; i < 50; i++) {
            if (postmasterAlive()) {
                return false;
            }
            Thread.sleep(100);
        }
        release();
        start();
        return true;
    }

    private boolean postmasterAlive() throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return false;
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.US_ASCII);
        return !lines.isEmpty() && ProcessHandle.of(Long.parseLong(lines.get(0).trim())).map(ProcessHandle::isAlive)
                .orElse(false);
    }

    /**
     * Drops zonky's handle of a postmaster that is gone: its close() fails to stop it (logged) but releases the
     * data directory's lock, which a new handle needs.
     */
    private void release() throws IOException {
        if (pg != null) {
            pg.close();
            pg = null;
        }
    }

    public String url() {
        return "jdbc:postgresql://localhost:" + port + "/postgres";
    }

    public int port() {
        return port;
    }

    public Path dataDirectory() {
        return dataDirectory;
    }

    @Override
    public synchronized void close() throws IOException {
        stopFast();
    }
}
