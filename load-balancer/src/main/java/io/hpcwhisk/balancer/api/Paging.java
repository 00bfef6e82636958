package io.hpcwhisk.balancer.api;

import java.util.List;
import java.util.Map;

/**
 * {@code skip}, {@code limit} (default 30, at most 200) and {@code count} of OpenWhisk's list
 * calls.
 */
record Paging(int skip, int limit, boolean count) {

  static final int DEFAULT_LIMIT = 30;
  static final int MAX_LIMIT = 200;

  static Paging of(Call call, String collection) {
    int skip = call.listParam("skip", collection, 0, Integer.MAX_VALUE);
    int limit = call.listParam("limit", collection, DEFAULT_LIMIT, MAX_LIMIT);
    return new Paging(skip, limit == 0 ? MAX_LIMIT : limit, call.flag("count", false));
  }

  /** The page of {@code all}, or {@code {collection: n}} when counting. */
  <T> Object apply(List<T> all, String collection) {
    if (count) {
      return Map.of(collection, all.size());
    }
    int from = Math.min(skip, all.size());
    int to = Math.min(all.size(), from + limit);
    return all.subList(from, to);
  }
}
