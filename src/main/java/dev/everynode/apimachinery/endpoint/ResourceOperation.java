package dev.everynode.apimachinery.endpoint;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a handler that serves one verb of a resource through {@link ResourceRouter}: the API document then lists
 * the query parameters and headers that verb reads into {@link RequestOptions} ({@link RequestOptionsResolver}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ResourceOperation {

    Verb value();

    /** The verbs, each with the options it documents, in the order the document lists them. */
    enum Verb {
        LIST("labelSelector", "fieldSelector", "Accept"),
        GET("Accept"),
        WRITE("Content-Type", "Accept", "dryRun"),
        DELETE("Content-Type", "propagationPolicy", "gracePeriodSeconds", "dryRun", "Accept"),
        DELETE_COLLECTION("labelSelector", "fieldSelector", "Content-Type", "propagationPolicy", "gracePeriodSeconds",
                "dryRun", "Accept");

        final java.util.List<String> options;

        Verb(String... options) {
            this.options = java.util.List.of(options);
        }
    }
}
