package dev.everynode.nodeagent;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Command-line options of {@code everynode-agent}. */
final class Args {

    static final String USAGE = """
            usage: everynode-agent --server URL --node NAME [options]
              --server URL            the Everynode control plane, e.g. http://cp:8080 (required)
              --node NAME             this node's name (default: the host name)
              --token TOKEN           sent as 'Authorization: Bearer TOKEN' on every request
              --runtime process|docker  how containers run (default process)
              --state-dir DIR         state file and container logs (default ./everynode-agent-state)
              --label k=v             a node label (repeatable)
              --labels-file FILE      node labels, one k=v a line (# comments)
              --host-ip IP            the node's InternalIP, the pod IP in process mode and for host-network
                                      pods, the host of httpGet probes without one (default: first
                                      non-loopback IPv4 address)
              --docker-socket PATH    the Docker Engine API socket (default /var/run/docker.sock)
              --poll-seconds N        long-poll wait for assignments (default 30, at most 300)
            """;

    String server;
    String node;
    String token;
    String runtime = "process";
    Path stateDir = Path.of("everynode-agent-state");
    final Map<String, String> labels = new LinkedHashMap<>();
    String hostIp;
    String dockerSocket = "/var/run/docker.sock";
    int pollSeconds = 30;

    static Args parse(String... argv) {
        Args a = new Args();
        for (int i = 0; i < argv.length; i++) {
            String flag = argv[i];
            String value = null;
            int eq = flag.indexOf('=');
            if (flag.startsWith("--") && eq > 0) {
                value = flag.substring(eq + 1);
                flag = flag.substring(0, eq);
            }
            if (flag.equals("--help") || flag.equals("-h")) {
                throw new IllegalArgumentException("");
            }
            if (value == null) {
                if (i + 1 >= argv.length) {
                    throw new IllegalArgumentException(flag + " needs a value");
                }
                value = argv[++i];
            }
            switch (flag) {
                case "--server" -> a.server = value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
                case "--node" -> a.node = value;
                case "--token" -> a.token = value;
                case "--runtime" -> {
                    if (!List.of("process", "docker").contains(value)) {
                        throw new IllegalArgumentException("--runtime must be process or docker");
                    }
                    a.runtime = value;
                }
                case "--state-dir" -> a.stateDir = Path.of(value);
                case "--label" -> a.label(value);
                case "--labels-file" -> {
                    try {
                        for (String line : Files.readAllLines(Path.of(value))) {
                            if (!line.isBlank() && !line.strip().startsWith("#")) {
                                a.label(line.strip());
                            }
                        }
                    } catch (IOException e) {
                        throw new IllegalArgumentException("cannot read --labels-file " + value + ": " + e.getMessage());
                    }
                }
                case "--host-ip" -> a.hostIp = value;
                case "--docker-socket" -> a.dockerSocket = value;
                case "--poll-seconds" -> a.pollSeconds = Math.max(0, Math.min(300, Integer.parseInt(value)));
                default -> throw new IllegalArgumentException("unknown option " + flag);
            }
        }
        if (a.server == null) {
            throw new IllegalArgumentException("--server is required");
        }
        if (a.node == null) {
            a.node = HostInfo.hostname().toLowerCase();
        }
        if (a.hostIp == null) {
            a.hostIp = detectHostIp();
        }
        return a;
    }

    private void label(String kv) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("a label is key=value, got '" + kv + "'");
        }
        labels.put(kv.substring(0, eq).strip(), kv.substring(eq + 1).strip());
    }

    static String detectHostIp() {
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress()) {
                        return address.getHostAddress();
                    }
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "127.0.0.1";
    }
}
