package dev.everynode.platform;

import org.apache.coyote.http11.Http11NioProtocol;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * Smaller per-connection buffers. Every node agent keeps a long-poll parked and a keep-alive connection for
 * heartbeats, and a parked request holds its Tomcat processor with all of that processor's buffers. With
 * Tomcat's defaults (8 KiB socket read and write buffers, 8 KiB response header buffer, an 8 KiB response
 * buffer plus its 8 Ki-char twin) a parked poll costs about 75 KiB, so 10,000 nodes needed about 750 MiB of
 * heap. Agent requests and their answers are small; larger bodies (manifests, lists) simply take more reads
 * and writes.
 */
@Component
class ConnectionBuffers implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    private final int socketBufferBytes;
    private final int responseHeaderBytes;
    private final int responseBufferBytes;

    ConnectionBuffers(EverynodeProperties.Http settings) {
        this.socketBufferBytes = settings.socketBufferBytes();
        this.responseHeaderBytes = settings.responseHeaderBytes();
        this.responseBufferBytes = settings.responseBufferBytes();
    }

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        LeanHttp11NioProtocol.responseBufferBytes = responseBufferBytes;
        factory.setProtocol(LeanHttp11NioProtocol.class.getName());
        factory.addConnectorCustomizers(connector -> {
            connector.setProperty("socket.appReadBufSize", Integer.toString(socketBufferBytes));
            connector.setProperty("socket.appWriteBufSize", Integer.toString(socketBufferBytes));
            if (connector.getProtocolHandler() instanceof Http11NioProtocol http) {
                http.setMaxHttpResponseHeaderSize(responseHeaderBytes);
            }
        });
    }

    /** HTTP/1.1 on NIO whose servlet responses buffer {@code responseBufferBytes} instead of 8 KiB. */
    public static class LeanHttp11NioProtocol extends Http11NioProtocol {

        static volatile int responseBufferBytes = 2048;

        @Override
        public int getDesiredBufferSize() {
            return responseBufferBytes;
        }
    }
}
