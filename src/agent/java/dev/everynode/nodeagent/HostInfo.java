package dev.everynode.nodeagent;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import tools.jackson.databind.node.ObjectNode;

/** The Node this agent registers: labels, capacity and nodeInfo from the host. */
final class HostInfo {

    static final String VERSION = "everynode-agent/0.1";

    private HostInfo() {}

    static ObjectNode node(Args args, String runtimeVersion) {
        ObjectNode node = Js.object().put("apiVersion", "v1").put("kind", "Node");
        ObjectNode meta = node.putObject("metadata").put("name", args.node);
        String arch = arch();
        ObjectNode labels = meta.putObject("labels");
        labels.put("kubernetes.io/hostname", args.node);
        labels.put("kubernetes.io/os", "linux".equalsIgnoreCase(System.getProperty("os.name")) ? "linux"
                : System.getProperty("os.name").toLowerCase());
        labels.put("kubernetes.io/arch", arch);
        for (Map.Entry<String, String> e : args.labels.entrySet()) {
            labels.put(e.getKey(), e.getValue());
        }
        ObjectNode status = node.putObject("status");
        ObjectNode capacity = status.putObject("capacity");
        capacity.put("cpu", String.valueOf(Runtime.getRuntime().availableProcessors()));
        long memory = memoryBytes();
        if (memory > 0) {
            capacity.put("memory", (memory / 1024) + "Ki");
        }
        capacity.put("pods", "110");
        status.set("allocatable", capacity.deepCopy());
        var addresses = status.putArray("addresses");
        addresses.addObject().put("type", "InternalIP").put("address", args.hostIp);
        addresses.addObject().put("type", "Hostname").put("address", hostname());
        ObjectNode info = status.putObject("nodeInfo");
        info.put("kubeletVersion", VERSION);
        info.put("kubeProxyVersion", "");
        info.put("operatingSystem", labels.get("kubernetes.io/os").stringValue());
        info.put("architecture", arch);
        info.put("osImage", osImage());
        info.put("kernelVersion", System.getProperty("os.version"));
        info.put("containerRuntimeVersion", runtimeVersion);
        info.put("machineID", read("/etc/machine-id"));
        info.put("bootID", read("/proc/sys/kernel/random/boot_id"));
        info.put("systemUUID", "");
        status.putArray("conditions").addObject().put("type", "Ready").put("status", "True")
                .put("reason", "KubeletReady").put("message", "everynode-agent is posting ready status");
        return node;
    }

    static String hostname() {
        String env = System.getenv("HOSTNAME");
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return env != null ? env : "localhost";
        }
    }

    static String arch() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }

    private static long memoryBytes() {
        try {
            if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
                return os.getTotalMemorySize();
            }
        } catch (RuntimeException | LinkageError e) {
            // not available
        }
        return -1;
    }

    private static String osImage() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/os-release"))) {
                if (line.startsWith("PRETTY_NAME=")) {
                    return line.substring(12).replace("\"", "");
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return System.getProperty("os.name");
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
