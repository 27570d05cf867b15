package dev.everynode.apimachinery.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Bulk writes are cut into statements whose JSON array of documents stays under a size limit. */
class ObjectStoreChunksTest {

    @Test
    void cutsBeforeTheDocumentThatWouldExceedTheLimit() {
        assertThat(ObjectStore.chunkEnds(List.of("aaaa", "bbbb", "cccc", "dd"), 8)).containsExactly(2, 4);
    }

    @Test
    void aDocumentLargerThanTheLimitGoesAlone() {
        assertThat(ObjectStore.chunkEnds(List.of("a", "bbbbbbbbbbbb", "c"), 8)).containsExactly(1, 2, 3);
    }

    @Test
    void nothingToWriteMeansNoStatement() {
        assertThat(ObjectStore.chunkEnds(List.of(), 8)).isEmpty();
        assertThat(ObjectStore.chunkEnds(List.of("x"), 8)).containsExactly(1);
    }
}
