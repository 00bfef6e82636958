package io.hpcwhisk.balancer.auth;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Where {@link IdentityStore} keeps its users: the entries as JSON (a {@link StoredUser} each, or
 * an older entry with a plaintext key that the store migrates), read whole and replaced whole under
 * the backend's write lock. {@link FileUserRecords} is {@code identities.json} in the data
 * directory; the PostgreSQL store has one shared by every server on the database.
 */
public interface UserRecords {

  /** A value that changes whenever the entries change (cheap: polled at most once a second). */
  long version() throws IOException;

  /** Every entry. */
  List<JsonNode> read() throws IOException;

  /**
   * Replaces the entries by what {@code update} makes of them, atomically: no other writer (of this
   * process or another) runs in between, and a reader sees either the old or the new entries.
   */
  void update(UnaryOperator<List<JsonNode>> update) throws IOException;

  /** Where the entries are, for messages (no secret in it). */
  String describe();
}
