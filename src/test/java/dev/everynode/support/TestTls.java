package dev.everynode.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.catalina.connector.Connector;
import org.apache.tomcat.util.net.SSLHostConfig;
import org.apache.tomcat.util.net.SSLHostConfigCertificate;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;

/**
 * A second, HTTPS connector on the test server, with a self-signed certificate made by the JDK's keytool:
 * kubectl only sends bearer tokens over TLS, so the tests that run kubectl use it. Everything else uses the
 * plain HTTP port.
 */
@TestConfiguration(proxyBeanMethods = false)
public class TestTls {

    public static final String PASSWORD = "changeit";
    public static final Path KEYSTORE = keystore();
    public static final int PORT = freePort();

    /**
     * On {@link #PORT}, or on the port property {@code test.tls.port} names: a second test context in the same JVM
     * ({@link PausedLoopIntegrationTest}'s) says 0, a free one, since the first context holds PORT.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> httpsConnector(
            org.springframework.core.env.Environment environment) {
        int port = environment.getProperty("test.tls.port", Integer.class, PORT);
        return factory -> {
            Connector connector = new Connector("org.apache.coyote.http11.Http11NioProtocol");
            connector.setPort(port);
            connector.setScheme("https");
            connector.setSecure(true);
            connector.setProperty("SSLEnabled", "true");
            SSLHostConfig ssl = new SSLHostConfig();
            SSLHostConfigCertificate certificate = new SSLHostConfigCertificate(ssl, SSLHostConfigCertificate.Type.RSA);
            certificate.setCertificateKeystoreFile(KEYSTORE.toString());
            certificate.setCertificateKeystorePassword(PASSWORD);
            certificate.setCertificateKeystoreType("PKCS12");
            ssl.addCertificate(certificate);
            connector.addSslHostConfig(ssl);
            factory.addAdditionalConnectors(connector);
        };
    }

    private static Path keystore() {
        try {
            Path dir = Files.createTempDirectory("everynode-tls");
            Path store = dir.resolve("server.p12");
            Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                    "-genkeypair", "-alias", "everynode", "-keyalg", "RSA", "-keysize", "2048", "-validity", "2",
                    "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                    "-keystore", store.toString(), "-storepass", PASSWORD)
                    .redirectErrorStream(true).start();
            if (!keytool.waitFor(60, TimeUnit.SECONDS) || keytool.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + new String(keytool.getInputStream().readAllBytes()));
            }
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
