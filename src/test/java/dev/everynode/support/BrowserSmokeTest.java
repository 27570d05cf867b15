package dev.everynode.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The browser tier's own check: headless Chromium renders a page of the running service. */
class BrowserSmokeTest extends IntegrationTest {

    @Test
    void chromiumLoadsAPageOfTheService() throws Exception {
        try (Browser browser = Browser.start(1280, 800)) {
            browser.driver().get("http://localhost:" + port + "/swagger-ui/index.html");
            assertThat(browser.driver().getTitle()).containsIgnoringCase("swagger");
            assertThat(browser.screenshot("smoke")).exists();
        }
    }
}
