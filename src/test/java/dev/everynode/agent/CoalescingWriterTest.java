package dev.everynode.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The writer behind coalesced status reports and confirmations. */
class CoalescingWriterTest {

    private record Item(int n, CompletableFuture<String> done) {
        Item(int n) {
            this(n, new CompletableFuture<>());
        }
    }

    @Test
    void itemsArrivingDuringAWriteGoIntoTheNextBatchUpToTheLimit() throws Exception {
        CountDownLatch firstWriteStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        CoalescingWriter<Item> writer = new CoalescingWriter<>("test-writer", 3, i -> 1, batch -> {
            batches.add(batch.stream().map(Item::n).toList());
            if (batch.get(0).n() == 0) {
                firstWriteStarted.countDown();
                await(release);
            }
            batch.forEach(i -> i.done().complete("ok"));
        }, (batch, e) -> batch.forEach(i -> i.done().completeExceptionally(e)));
        try {
            Item first = new Item(0);
            writer.submit(first);
            assertThat(firstWriteStarted.await(5, TimeUnit.SECONDS)).isTrue();
            List<Item> more = List.of(new Item(1), new Item(2), new Item(3), new Item(4));
            more.forEach(writer::submit);
            release.countDown();
            for (Item i : more) {
                assertThat(i.done().get(5, TimeUnit.SECONDS)).isEqualTo("ok");
            }
            assertThat(batches).containsExactly(List.of(0), List.of(1, 2, 3), List.of(4));
        } finally {
            writer.stop();
        }
    }

    @Test
    void aFailedBatchFailsItsItemsAndTheWriterGoesOn() throws Exception {
        CoalescingWriter<Item> writer = new CoalescingWriter<>("test-writer", 1, i -> 1, batch -> {
            if (batch.get(0).n() == 1) {
                throw new IllegalStateException("database gone");
            }
            if (batch.get(0).n() == 2) {
                throw new StackOverflowError();
            }
            batch.forEach(i -> i.done().complete("ok"));
        }, (batch, e) -> batch.forEach(i -> i.done().completeExceptionally(e)));
        try {
            Item failing = new Item(1);
            Item error = new Item(2);
            Item fine = new Item(3);
            writer.submit(failing);
            writer.submit(error);
            writer.submit(fine);
            assertThat(fine.done().get(5, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(failing.done()).isCompletedExceptionally();
            assertThat(error.done()).isCompletedExceptionally();
        } finally {
            writer.stop();
        }
    }

    @Test
    void stopFailsWhatIsQueuedAndRefusesMore() {
        CountDownLatch never = new CountDownLatch(1);
        CoalescingWriter<Item> writer = new CoalescingWriter<>("test-writer", 1, i -> 1, batch -> await(never),
                (batch, e) -> batch.forEach(i -> i.done().completeExceptionally(e)));
        Item blocked = new Item(0);
        Item queued = new Item(1);
        writer.submit(blocked);
        writer.submit(queued);
        writer.stop();
        assertThat(queued.done()).isCompletedExceptionally();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> writer.submit(new Item(2)))
                .isInstanceOf(IllegalStateException.class);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
