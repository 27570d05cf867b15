package dev.everynode.nodeagent;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A tiny HTTP/1.1 client over a unix domain socket (the Docker Engine API): one connection per request
 * ({@code Connection: close}), body read to EOF, chunked transfer decoding, a timeout that closes the channel.
 */
final class UnixHttp {

    record Response(int status, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private static final ScheduledExecutorService TIMEOUTS =
            Executors.newSingleThreadScheduledExecutor(Reconciler.daemon("unix-http-timeout"));

    private final Path socket;

    UnixHttp(Path socket) {
        this.socket = socket;
    }

    Response request(String method, String path, byte[] body, Duration timeout) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ScheduledFuture<?> killer = TIMEOUTS.schedule(() -> {
                try {
                    channel.close();
                } catch (IOException e) {
                    // closing
                }
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
            try {
                channel.connect(UnixDomainSocketAddress.of(socket));
                StringBuilder head = new StringBuilder();
                head.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
                head.append("Host: docker\r\nUser-Agent: ").append(HostInfo.VERSION).append("\r\n");
                head.append("Connection: close\r\n");
                if (body != null) {
                    head.append("Content-Type: application/json\r\n");
                }
                head.append("Content-Length: ").append(body == null ? 0 : body.length).append("\r\n\r\n");
                write(channel, head.toString().getBytes(StandardCharsets.US_ASCII));
                if (body != null) {
                    write(channel, body);
                }
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                ByteBuffer buf = ByteBuffer.allocate(16384);
                while (channel.read(buf) >= 0) {
                    all.write(buf.array(), 0, buf.position());
                    buf.clear();
                }
                return parse(all.toByteArray());
            } catch (IOException e) {
                if (killer.isDone()) {
                    throw new IOException(method + " " + path + " timed out after " + timeout.toMillis() + " ms", e);
                }
                throw e;
            } finally {
                killer.cancel(false);
            }
        }
    }

    private static void write(SocketChannel channel, byte[] bytes) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        while (b.hasRemaining()) {
            channel.write(b);
        }
    }

    static Response parse(byte[] raw) throws IOException {
        int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII), 0);
        if (end < 0) {
            throw new IOException("malformed HTTP response (" + raw.length + " bytes)");
        }
        String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) {
            throw new IOException("malformed status line: " + lines[0]);
        }
        int status = Integer.parseInt(statusLine[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        int start = end + 4;
        byte[] body;
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int pos = start;
            while (pos < raw.length) {
                int eol = indexOf(raw, new byte[] {'\r', '\n'}, pos);
                if (eol < 0) {
                    break;
                }
                String sizeText = new String(raw, pos, eol - pos, StandardCharsets.US_ASCII).split(";")[0].trim();
                int size = Integer.parseInt(sizeText, 16);
                if (size == 0) {
                    break;
                }
                out.write(raw, eol + 2, Math.min(size, raw.length - eol - 2));
                pos = eol + 2 + size + 2;
            }
            body = out.toByteArray();
        } else if (headers.containsKey("content-length")) {
            int len = Integer.parseInt(headers.get("content-length"));
            body = java.util.Arrays.copyOfRange(raw, start, Math.min(raw.length, start + len));
        } else {
            body = java.util.Arrays.copyOfRange(raw, start, raw.length);
        }
        return new Response(status, headers, body);
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = from; i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
