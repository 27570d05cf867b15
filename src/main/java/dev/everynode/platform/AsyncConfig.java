package dev.everynode.platform;

import java.util.concurrent.Executors;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.task.support.TaskExecutorAdapter;
import org.springframework.web.servlet.config.annotation.AsyncSupportConfigurer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Watches stream on a thread each, for as long as they last (minutes): they get their own unbounded pool so
 * that they never queue behind one another. Long-polls of node agents do not use it (a parked poll is a servlet
 * AsyncContext and holds no thread). Timeouts are set per request.
 */
@Configuration(proxyBeanMethods = false)
class AsyncConfig implements WebMvcConfigurer {

    @Override
    public void configureAsyncSupport(AsyncSupportConfigurer configurer) {
        configurer.setTaskExecutor(new TaskExecutorAdapter(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "watch-stream");
            t.setDaemon(true);
            return t;
        })));
        configurer.setDefaultTimeout(3_700_000L);
    }
}
