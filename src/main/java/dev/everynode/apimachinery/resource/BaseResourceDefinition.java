package dev.everynode.apimachinery.resource;

import dev.everynode.apimachinery.meta.ResourceType;
import dev.everynode.apimachinery.table.TableColumn;
import java.util.List;

/**
 * The parts every served resource's definition holds the same way: its type, its write-flow strategy and its
 * printer columns, given once to the constructor; a resource overrides only what it does differently (cells,
 * patch schema, field selectors, discovery facts).
 */
public abstract class BaseResourceDefinition implements ResourceDefinition {

    private final ResourceType type;
    private final ResourceStrategy strategy;
    private final List<TableColumn> columns;

    /** {@code strategy} null: the read-only default of {@link ResourceDefinition#strategy()} (also for tests). */
    protected BaseResourceDefinition(ResourceType type, ResourceStrategy strategy, List<TableColumn> columns) {
        this.type = type;
        this.strategy = strategy;
        this.columns = List.copyOf(columns);
    }

    @Override
    public final ResourceType type() {
        return type;
    }

    @Override
    public final ResourceStrategy strategy() {
        return strategy != null ? strategy : ResourceDefinition.super.strategy();
    }

    @Override
    public final List<TableColumn> columns() {
        return columns;
    }
}
