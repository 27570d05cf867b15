package dev.everynode.e2e;

import dev.everynode.support.Kubeconfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the real kubectl on PATH against an https Everynode with a bearer token, like a user would: its own HOME
 * and KUBECONFIG (so the discovery cache starts cold), a working directory holding the manifests (so the
 * transcript shows relative file names). Every command and its output go to System.out and to a transcript file.
 */
final class KubectlCli {

    record Result(int exitCode, String stdout, String stderr) {
        String all() {
            return stdout + stderr;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    /** kubectl running in the background (e.g. {@code get -w}); its output accumulates in a file. */
    final class Background implements AutoCloseable {
        private final String commandLine;
        private final Process process;
        private final Path out;
        private final Path err;
        private final long started = System.nanoTime();
        private boolean closed;

        private Background(String commandLine, Process process, Path out, Path err) {
            this.commandLine = commandLine;
            this.process = process;
            this.out = out;
            this.err = err;
        }

        String stdout() {
            return read(out);
        }

        String stderr() {
            return read(err);
        }

        boolean alive() {
            return process.isAlive();
        }

        /** Stops kubectl (as Ctrl-C would) and records what it printed. */
        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            long seconds = Math.round((System.nanoTime() - started) / 1e9);
            process.destroy();
            try {
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            record("$ " + commandLine + "\n" + stdout() + stderr() + "^C   (stopped after " + seconds + " s)\n");
        }
    }

    private final Path home;
    private final Path kubeconfig;
    private final Path workDir;
    private final Path transcript;
    private final AtomicInteger counter = new AtomicInteger();

    KubectlCli(Path dir, int port, String token, Path workDir, Path transcript) {
        this.workDir = workDir;
        this.transcript = transcript;
        try {
            home = Files.createDirectories(dir.resolve("home"));
            kubeconfig = Kubeconfig.write(dir, port, token);
            Files.createDirectories(transcript.getParent());
            Files.writeString(transcript, "");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds a line of commentary to the transcript (e.g. what the test waited for). */
    void note(String text) {
        record("# " + text + "\n");
    }

    Result run(String... args) {
        return run(true, null, args);
    }

    /** Runs kubectl without recording it in the transcript (polling). */
    Result quietly(String... args) {
        return run(false, null, args);
    }

    /** Runs kubectl with {@code stdin} on its standard input (e.g. {@code replace -f -}), like a shell pipe. */
    Result piped(String stdin, String... args) {
        return run(true, stdin, args);
    }

    private Result run(boolean recorded, String stdin, String... args) {
        ProcessBuilder pb = processBuilder(args);
        int n = counter.incrementAndGet();
        Path out = home.resolve("stdout-" + n + ".txt");
        Path err = home.resolve("stderr-" + n + ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        if (stdin != null) {
            Path in = home.resolve("stdin-" + n + ".txt");
            try {
                Files.writeString(in, stdin, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            pb.redirectInput(in.toFile());
        }
        try {
            long t0 = System.nanoTime();
            Process process = pb.start();
            if (!process.waitFor(75, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                record("$ " + commandLine(args) + "\n" + read(out) + read(err) + "(killed: no exit within 75 s)\n");
                throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish within 75s");
            }
            Result result = new Result(process.exitValue(), read(out), read(err));
            if (recorded) {
                System.out.printf("[e2e] %.1f s: kubectl %s%n", (System.nanoTime() - t0) / 1e9, String.join(" ", args));
                record("$ " + (stdin == null ? "" : "... | ") + commandLine(args) + "\n" + endLine(result.stdout())
                        + endLine(result.stderr())
                        + (result.exitCode() == 0 ? "" : "(exit code " + result.exitCode() + ")\n"));
            }
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Background background(String... args) {
        ProcessBuilder pb = processBuilder(args);
        int n = counter.incrementAndGet();
        Path out = home.resolve("stdout-" + n + ".txt");
        Path err = home.resolve("stderr-" + n + ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        try {
            return new Background(commandLine(args), pb.start(), out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ProcessBuilder processBuilder(String... args) {
        List<String> command = new ArrayList<>();
        command.add("kubectl");
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("HOME", home.toString());
        return pb;
    }

    private static String commandLine(String... args) {
        StringBuilder sb = new StringBuilder("kubectl");
        for (String a : args) {
            sb.append(' ').append(a.matches("[A-Za-z0-9_./:=,@%+-]+") ? a : "'" + a + "'");
        }
        return sb.toString();
    }

    private synchronized void record(String text) {
        System.out.print(text);
        System.out.println();
        try {
            Files.writeString(transcript, text + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Output that does not end its last line (e.g. -o jsonpath) gets a line break in the transcript. */
    private static String endLine(String output) {
        return output.isEmpty() || output.endsWith("\n") ? output : output + "\n";
    }

    private static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
