package dev.everynode.apimachinery.watch;

import dev.everynode.platform.EverynodeProperties;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/** Keeps the watch log to a window (default 10 minutes); older resourceVersions then get 410 Expired. */
@Component
class WatchLogPruner {

    private final JdbcTemplate jdbc;
    private final String retention;

    WatchLogPruner(JdbcTemplate jdbc, EverynodeProperties.Watch settings) {
        this.jdbc = jdbc;
        this.retention = settings.retention().toSeconds() + " seconds";
    }

    @Scheduled(fixedDelayString = "#{@watchProperties.prunePeriod().toMillis()}")
    @Transactional
    public void prune() {
        Long horizon = jdbc.queryForObject("SELECT max(resource_version) FROM watch_events "
                + "WHERE recorded_at < now() - ?::interval", Long.class, retention);
        if (horizon != null) {
            jdbc.update("DELETE FROM watch_events WHERE resource_version <= ?", horizon);
            jdbc.update("UPDATE watch_horizon SET pruned = GREATEST(pruned, ?) WHERE id = 1", horizon);
        }
    }
}
