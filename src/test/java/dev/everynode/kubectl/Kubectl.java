package dev.everynode.kubectl;

import dev.everynode.support.IntegrationTest;
import dev.everynode.support.Kubeconfig;
import dev.everynode.support.TestTls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real kubectl on PATH against the test server. Each instance has its own HOME, so the discovery and
 * HTTP caches in ~/.kube/cache start empty and every run exercises discovery afresh.
 */
final class Kubectl {

    record Result(int exitCode, String stdout, String stderr) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }

    private final Path home;
    private final Path kubeconfig;

    /** kubectl over the test server's HTTPS connector, as the admin (kubectl sends tokens only over TLS). */
    Kubectl(Path dir) {
        try {
            home = Files.createDirectories(dir.resolve("home"));
            kubeconfig = Kubeconfig.write(dir, TestTls.PORT, IntegrationTest.ADMIN_TOKEN);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A kubectl that runs until stopped (a watch): its output so far, and its transcript once stopped. */
    final class Running {
        private final Process process;
        private final Path out;
        private final Path err;
        private final String[] args;

        private Running(Process process, Path out, Path err, String[] args) {
            this.process = process;
            this.out = out;
            this.err = err;
            this.args = args;
        }

        String stdout() {
            try {
                return Files.readString(out, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Stops kubectl (a watch runs until then) and returns its transcript. */
        Result stop() {
            process.destroy();
            return finish(5, "   (stopped)");
        }

        private Result finish(int seconds, String note) {
            try {
                if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new AssertionError("kubectl " + String.join(" ", args) + " did not finish within " + seconds
                            + "s");
                }
                Result result = new Result(process.exitValue(), stdout(), Files.readString(err, StandardCharsets.UTF_8));
                // The transcript in the test output is what a reader needs when kubectl disagrees with the server.
                System.out.println("$ kubectl " + String.join(" ", args) + note + "\n" + result);
                return result;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    Running start(String... args) {
        List<String> command = new ArrayList<>();
        command.add("kubectl");
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("HOME", home.toString());
        try {
            Path out = Files.createTempFile(home, "stdout", ".txt");
            Path err = Files.createTempFile(home, "stderr", ".txt");
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            return new Running(pb.start(), out, err, args);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Result run(String... args) {
        return start(args).finish(60, "");
    }
}
