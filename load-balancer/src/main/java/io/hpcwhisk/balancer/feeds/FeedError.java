package io.hpcwhisk.balancer.feeds;

/**
 * A feed request the feed refuses (bad parameter, unknown lifecycle event, foreign trigger): the
 * feed action's activation ends with an application error whose {@code error} is this message, as
 * the catalog's feed actions answer.
 */
public final class FeedError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public FeedError(String message) {
    super(message, null, false, false);
  }
}
