package dev.everynode.apimachinery.endpoint;

import dev.everynode.apimachinery.codec.FieldValidation;
import dev.everynode.apimachinery.errors.ApiException;
import dev.everynode.apimachinery.table.Tables;

/**
 * The options of one request to a resource endpoint, read once from its query parameters and headers by
 * {@link RequestOptionsResolver}: content negotiation, selectors, dryRun, fieldValidation, includeObject and the
 * delete options. Values are kept as sent and checked where Kubernetes checks them, so a request with several
 * problems gets the same first error as before.
 */
public record RequestOptions(String accept, String contentType, String labelSelector, String fieldSelector,
                             String dryRun, String fieldValidation, String includeObject, String propagationPolicy,
                             Long gracePeriodSeconds) {

    /** {@code dryRun=All}: validate and answer, store nothing; 400 for any other value. */
    boolean isDryRun() {
        if (dryRun == null || dryRun.isEmpty()) {
            return false;
        }
        if (!dryRun.equals("All")) {
            throw ApiException.badRequest("Unsupported value: \"" + dryRun + "\": supported values: \"All\"");
        }
        return true;
    }

    FieldValidation validation() {
        return FieldValidation.of(fieldValidation);
    }

    boolean wantsTable() {
        return Tables.wantsTable(accept);
    }

    Tables.RowObject rowObject() {
        return Tables.rowObject(includeObject);
    }
}
