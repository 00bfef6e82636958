package io.hpcwhisk.runtime;

/** The error texts OpenWhisk puts into {@code {"error": ...}}, kept identical for compatibility. */
final class OpenWhiskMessages {

  private OpenWhiskMessages() {}

  static String timedOut(long timeoutMillis, boolean init) {
    return "The action exceeded its time limits of "
        + timeoutMillis
        + " milliseconds"
        + (init ? " during initialization." : ".");
  }

  static String invalidInitResponse(String detail) {
    return "The action failed during initialization" + suffix(detail);
  }

  static String invalidRunResponse(String detail) {
    return "The action did not produce a valid JSON response" + suffix(detail);
  }

  static String truncatedResponse(long length, long maxLength) {
    return "The action produced a response that exceeded the allowed length: "
        + length
        + " > "
        + maxLength
        + " bytes.";
  }

  static String truncatedLogs(long limit) {
    return "Logs were truncated because the total bytes size exceeds the limit of "
        + limit
        + " bytes.";
  }

  static final String ABNORMAL_INIT = "The action did not initialize and exited unexpectedly.";
  static final String ABNORMAL_RUN =
      "The action did not produce a valid response and exited unexpectedly.";
  static final String MEMORY_EXHAUSTED = "The action exhausted its memory and was aborted.";
  static final String LOG_FAILURE =
      "There was an issue while collecting your logs. Data might be missing.";

  private static String suffix(String detail) {
    return detail == null || detail.isEmpty() ? "." : ": " + detail;
  }
}
