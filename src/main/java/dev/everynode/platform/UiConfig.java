package dev.everynode.platform;

import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.config.annotation.ViewControllerRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * The rollout view: plain HTML, CSS and one script under {@code classpath:/static/ui/}, served as they are (no
 * build step). {@code /ui} and {@code /ui/} lead to its page; the page asks the API with the user's bearer token,
 * so the files themselves need none (they hold no data).
 */
@Configuration
class UiConfig implements WebMvcConfigurer {

    @Override
    public void addViewControllers(ViewControllerRegistry registry) {
        registry.addRedirectViewController("/ui", "/ui/");
        registry.addViewController("/ui/").setViewName("forward:/ui/index.html");
    }
}
