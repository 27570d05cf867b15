package dev.everynode.bench;

import dev.everynode.apimachinery.json.Json;
import dev.everynode.apimachinery.resource.ResourceRegistry;
import dev.everynode.apimachinery.resource.StoredObject;
import dev.everynode.apimachinery.store.ObjectStore;
import dev.everynode.pod.PodResource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.node.ObjectNode;

/**
 * What each index and trigger of {@code objects} costs on the W2 write: N pods inserted by the service's own
 * statement ({@link ObjectStore#insertMany}, one transaction, committed with fsync on), on the real schema (the
 * Flyway migrations), then with one index, constraint or trigger dropped at a time, then with all of them dropped,
 * beside the floor of {@link Benchmark#dbFloors} (the same rows by batched INSERT into a table with only a primary
 * key and a unique uid). Each variant runs {@code --repeats} times on an emptied table after a CHECKPOINT; the
 * median is reported.
 *
 * <pre>bin/benchmark --write-path [--nodes 10000] [--repeats 5] [--out target/write-path.md]</pre>
 */
public final class WritePathCost {

    private record Variant(String name, List<String> drop) {}

    private record Result(String variant, double median, double min, double max) {}

    private final int nodes;
    private final int repeats;
    private final PrintStream log = System.out;

    private WritePathCost(int nodes, int repeats) {
        this.nodes = nodes;
        this.repeats = repeats;
    }

    public static void main(String[] args) throws Exception {
        int nodes = 10_000;
        int repeats = 5;
        Path out = Path.of("target/write-path.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--write-path" -> { }
                case "--nodes" -> nodes = Integer.parseInt(args[++i]);
                case "--repeats" -> repeats = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (--write-path [--nodes N] [--repeats R] [--out FILE])");
            }
        }
        String report = new WritePathCost(nodes, repeats).run();
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, report);
        System.out.println(report);
        System.out.println("written to " + out);
    }

    private String run() throws Exception {
        Path data = Files.createTempDirectory("everynode-write-path-").resolve("pgdata");
        // As the benchmark's embedded PostgreSQL: fsync on, a commit waits for its WAL.
        Map<String, String> settings = Benchmark.durablePgSettings();
        var builder = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(true)
                .setPGStartupWait(Duration.ofSeconds(60));
        settings.forEach(builder::setServerConfig);
        try (EmbeddedPostgres pg = builder.start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            Flyway.configure().dataSource(url, "postgres", "postgres").locations("classpath:db/migration").load()
                    .migrate();
            SingleConnectionDataSource ds = new SingleConnectionDataSource(
                    url + (url.contains("?") ? "&" : "?") + "reWriteBatchedInserts=true",
                    "postgres", "postgres", true);
            try {
                return measure(ds);
            } finally {
                ds.destroy();
            }
        }
    }

    private String measure(SingleConnectionDataSource ds) throws Exception {
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        TransactionTemplate tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
        ObjectStore store = new ObjectStore(jdbc, new ResourceRegistry(List.of(new PodResource(null))));
        Map<String, String> definitions = definitions(jdbc);
        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("the schema as migrated", List.of()));
        definitions.keySet().forEach(d -> variants.add(new Variant("without " + d, List.of(d))));
        variants.add(new Variant("without all of the above", List.copyOf(definitions.keySet())));

        String template = Benchmark.podJsonSample();
        UUID owner = UUID.randomUUID();
        List<Result> results = new ArrayList<>();
        // One untimed round first: JIT, the catalog and the shared buffers warm for every variant alike.
        insert(store, tx, jdbc, template, owner, "warm");
        for (Variant v : variants) {
            drop(jdbc, v.drop());
            try {
                List<Double> secs = new ArrayList<>();
                for (int r = 0; r < repeats; r++) {
                    secs.add(insert(store, tx, jdbc, template, owner, "r" + r));
                }
                secs.sort(null);
                results.add(new Result(v.name(), secs.get(secs.size() / 2), secs.get(0), secs.get(secs.size() - 1)));
                log.printf("%-60s median %.3f s (min %.3f, max %.3f)%n", v.name(), secs.get(secs.size() / 2),
                        secs.get(0), secs.get(secs.size() - 1));
            } finally {
                v.drop().forEach(d -> jdbc.execute(definitions.get(d)));
            }
        }
        double floor = floor(ds, template);
        log.printf("floor (batched INSERT, primary key + unique uid only): median %.3f s%n", floor);
        return report(results, floor, definitions);
    }

    /** CHECKPOINT, empty tables, then N pods by the service's statement in one committed transaction: seconds. */
    private double insert(ObjectStore store, TransactionTemplate tx, JdbcTemplate jdbc, String template, UUID owner,
                          String tag) {
        jdbc.execute("TRUNCATE objects, watch_events");
        jdbc.execute("CHECKPOINT");
        List<StoredObject> pods = new ArrayList<>(nodes);
        Instant now = Instant.now();
        for (int i = 0; i < nodes; i++) {
            ObjectNode body = (ObjectNode) Json.parseObject(template);
            String name = "bench-" + tag + "-" + i;
            String node = "sim-%05d".formatted(i);
            UUID uid = UUID.randomUUID();
            Json.child(body, "metadata").put("name", name).put("uid", uid.toString());
            ((ObjectNode) Json.child(body, "metadata").get("ownerReferences").get(0)).put("uid", owner.toString());
            Json.child(body, "spec").put("nodeName", node);
            pods.add(new StoredObject("Pod", "default", name, uid, 0, 0, now, null, body));
        }
        long t0 = System.nanoTime();
        Map<String, Long> inserted = tx.execute(s -> store.insertMany(pods));
        double secs = (System.nanoTime() - t0) / 1e9;
        if (inserted == null || inserted.size() != nodes) {
            throw new IllegalStateException("inserted " + (inserted == null ? 0 : inserted.size()) + " of " + nodes);
        }
        return secs;
    }

    /** The same floor as the benchmark's: N pod rows by batched INSERT into a table with only its keys. */
    private double floor(DataSource ds, String body) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            Benchmark.createScratch(s);
            List<Double> secs = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                s.execute("TRUNCATE bench_scratch");
                s.execute("CHECKPOINT");
                long t0 = System.nanoTime();
                Benchmark.insertScratch(c, nodes, body, "r" + r);
                secs.add((System.nanoTime() - t0) / 1e9);
            }
            s.execute("DROP TABLE bench_scratch");
            secs.sort(null);
            return secs.get(secs.size() / 2);
        }
    }

    /**
     * What can be dropped and put back: every secondary index and unique constraint of {@code objects} (not the
     * primary key) and every trigger that fires on INSERT, by name, each with the DDL that restores it.
     */
    private static Map<String, String> definitions(JdbcTemplate jdbc) {
        Map<String, String> out = new LinkedHashMap<>();
        jdbc.query("""
                SELECT i.relname, pg_get_indexdef(x.indexrelid), c.conname, pg_get_constraintdef(c.oid)
                FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
                LEFT JOIN pg_constraint c ON c.conindid = x.indexrelid AND c.conrelid = x.indrelid
                WHERE x.indrelid = 'objects'::regclass AND NOT x.indisprimary ORDER BY i.relname""", (ResultSet rs) -> {
            String constraint = rs.getString(3);
            out.put(constraint != null ? "constraint " + constraint : "index " + rs.getString(1),
                    constraint != null ? "ALTER TABLE objects ADD CONSTRAINT " + constraint + " " + rs.getString(4)
                            : rs.getString(2));
        });
        jdbc.query("SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = 'objects'::regclass "
                + "AND NOT tgisinternal AND (tgtype & 4) <> 0 ORDER BY tgname", (ResultSet rs) -> {
            out.put("trigger " + rs.getString(1), rs.getString(2));
        });
        return out;
    }

    private static void drop(JdbcTemplate jdbc, List<String> what) {
        for (String d : what) {
            String name = d.substring(d.indexOf(' ') + 1);
            if (d.startsWith("constraint ")) {
                jdbc.execute("ALTER TABLE objects DROP CONSTRAINT " + name);
            } else if (d.startsWith("index ")) {
                jdbc.execute("DROP INDEX " + name);
            } else {
                jdbc.execute("DROP TRIGGER " + name + " ON objects");
            }
        }
    }

    private String report(List<Result> results, double floor, Map<String, String> definitions) {
        double all = results.get(0).median();
        StringBuilder md = new StringBuilder();
        md.append("Write-path cost, generated by `bin/benchmark --write-path` on ")
                .append(DateTimeFormatter.ISO_INSTANT.format(Instant.now().atOffset(ZoneOffset.UTC).withNano(0)))
                .append(": %,d pods by `ObjectStore.insertMany` (one statement, one committed transaction, fsync on), "
                        .formatted(nodes))
                .append("median of %d runs, each after a CHECKPOINT on emptied tables.%n%n".formatted(repeats));
        md.append("| variant | median | min | max | saved against the schema as migrated | ratio to floor |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (Result r : results) {
            md.append("| %s | %.3f s | %.3f s | %.3f s | %s | %.1f× |%n".formatted(r.variant(), r.median(), r.min(),
                    r.max(), r == results.get(0) ? "—" : "%+.3f s (%.0f %%)".formatted(all - r.median(),
                            100 * (all - r.median()) / all), r.median() / floor));
        }
        md.append("| floor: batched INSERT into a table with only its keys | %.3f s | | | | 1.0× |%n".formatted(floor));
        md.append("\nWhat was dropped:\n\n");
        definitions.forEach((k, v) -> md.append("- ").append(k).append(": `").append(v.replaceAll("\\s+", " "))
                .append("`\n"));
        return md.toString();
    }
}
