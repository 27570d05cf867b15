package dev.everynode.firsthour;

import static org.assertj.core.api.Assertions.assertThat;

import dev.everynode.support.ApiClient.Response;

/** What the typed decoding step answers for a value of the wrong type: the API server's 400 for a decode error. */
final class DecodeErrors {

    /** The prefix Kubernetes puts before the decoder's message for a DaemonSet body. */
    static final String DAEMON_SET = "DaemonSet in version \"v1\" cannot be handled as a DaemonSet: ";

    private DecodeErrors() {}

    /** 400 BadRequest with exactly this message and one FieldValueTypeInvalid cause on {@code field}. */
    static void assertDecodeError(Response r, String message, String field) {
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.json().path("kind").asString()).isEqualTo("Status");
        assertThat(r.json().path("reason").asString()).isEqualTo("BadRequest");
        assertThat(r.json().path("message").asString()).isEqualTo(message);
        assertThat(r.json().at("/details/causes/0/field").asString()).isEqualTo(field);
        assertThat(r.json().at("/details/causes/0/reason").asString()).isEqualTo("FieldValueTypeInvalid");
    }
}
