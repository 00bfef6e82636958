package io.hpcwhisk.balancer.api;

import io.hpcwhisk.balancer.entity.EntityPath;
import io.hpcwhisk.balancer.entity.Rejection;
import io.hpcwhisk.balancer.entity.SemVer;
import io.hpcwhisk.balancer.entity.WhiskEntity;
import io.hpcwhisk.balancer.store.EntityStore;
import java.time.InstantSource;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The shape the collections of single named entities share (triggers, rules, packages): {@code GET}
 * on the collection lists, {@code GET}/{@code PUT}/{@code DELETE} on {@code /NAME} fetch, create or
 * replace, and delete (only in the caller's own namespace), {@code POST} is the collection's own
 * verb or 405; every write runs under the API's write lock. A subclass says how to list, how to
 * build the entity a {@code PUT} stores, and what {@code POST} does.
 *
 * @param <T> the entity kind
 */
abstract class EntityApi<T extends WhiskEntity>
    implements ApiHandler.Collection, ApiHandler.Summarised {

  protected final EntityStore store;
  protected final ApiSettings settings;
  protected final InstantSource clock;
  protected final Object writeLock;
  protected final TypedEntities<T> entities;

  /** The collection's name in paths and list parameters ({@code "rules"}). */
  protected final String collection;

  private final String methods;

  EntityApi(
      EntityStore store,
      Class<T> type,
      String collection,
      String methods,
      ApiSettings settings,
      InstantSource clock,
      Object writeLock) {
    this.store = store;
    this.settings = settings;
    this.clock = clock;
    this.writeLock = writeLock;
    this.entities = new TypedEntities<>(store, type, writeLock);
    this.collection = collection;
    this.methods = methods;
  }

  @Override
  public final Object handle(Call call) {
    if (call.rest.isEmpty()) {
      call.requireMethod("GET");
      return list(call);
    }
    EntityPath path = call.singleEntity();
    if (!othersMayRead()) {
      call.requireOwnNamespace();
    }
    switch (call.method) {
      case "GET":
        return get(call, path);
      case "PUT":
        call.requireOwnNamespace();
        return put(call, path);
      case "DELETE":
        call.requireOwnNamespace();
        return delete(call, path);
      case "POST":
        return post(call, path);
      default:
        throw methodNotAllowed();
    }
  }

  /**
   * True when a caller may {@code GET} an entity of another namespace (a published package); then
   * {@link #get} checks it. Otherwise every request on {@code /NAME} must be about the caller's own
   * namespace.
   */
  protected boolean othersMayRead() {
    return false;
  }

  /** {@code GET} on the collection: the caller's own entities, newest first, paged. */
  protected Reply list(Call call) {
    call.requireOwnNamespace();
    Paging paging = Paging.of(call, collection);
    return Reply.ok(
        paging.apply(entities.newestFirst(call.namespace, null, e -> true), collection));
  }

  @Override
  public List<?> all(String namespace) {
    return entities.newestFirst(namespace, null, e -> true);
  }

  /** {@code GET /NAME}: the entity as stored. */
  protected Object get(Call call, EntityPath path) {
    return Reply.ok(entities.get(path));
  }

  /** {@code PUT /NAME}: create or replace; see {@link #save}. */
  protected abstract Reply put(Call call, EntityPath path);

  /** {@code DELETE /NAME}: removes the entity and answers it. */
  protected Reply delete(Call call, EntityPath path) {
    return entities.delete(path);
  }

  /** {@code POST /NAME}: the collection's own verb; 405 where there is none. */
  protected Object post(Call call, EntityPath path) {
    throw methodNotAllowed();
  }

  /**
   * Under the write lock: finds the entity a {@code PUT} replaces (null when the name is free; 409
   * when it exists and {@code overwrite} is false), builds the new one from it, stores it and
   * answers {@code view} of it.
   */
  protected final Reply save(
      EntityPath path, boolean overwrite, Function<T, T> build, Function<T, Object> view) {
    synchronized (writeLock) {
      T made = build.apply(entities.replaced(path, overwrite));
      store.put(path, made);
      return Reply.ok(view.apply(made));
    }
  }

  /**
   * Under the write lock: the entity at {@code path} (404 when none), changed by {@code change},
   * stored and answered.
   */
  protected final Reply update(EntityPath path, UnaryOperator<T> change) {
    synchronized (writeLock) {
      T changed = change.apply(entities.get(path));
      store.put(path, changed);
      return Reply.ok(changed);
    }
  }

  /**
   * The version a {@code PUT} gives: the first for a new entity, the next patch version of the one
   * it replaces.
   */
  protected static String nextVersion(WhiskEntity old) {
    return old == null ? SemVer.INITIAL : SemVer.bump(old.version());
  }

  /**
   * A field of a {@code PUT}: the value given, else the replaced entity's, else {@code fallback}
   * for a new one.
   */
  protected static <E, V> V given(V value, E old, Function<E, V> field, V fallback) {
    return value != null ? value : old != null ? field.apply(old) : fallback;
  }

  private Rejection methodNotAllowed() {
    return new Rejection(405, "HTTP method not allowed, supported methods: " + methods);
  }
}
