package io.hpcwhisk.balancer.store.postgres;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import io.hpcwhisk.balancer.auth.UserRecords;
import io.hpcwhisk.balancer.entity.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The users of every server on the database, in the table {@code identities}: one row with all
 * entries as a JSON array and a version that each change raises by one. An update locks the row
 * ({@code SELECT … FOR UPDATE}), so writers on several servers (or admin commands) follow one
 * another; readers see the last committed entries.
 */
public final class PostgresUserRecords implements UserRecords {

  private static final TypeReference<List<JsonNode>> LIST = new TypeReference<>() {};

  private final PostgresStore db;

  PostgresUserRecords(PostgresStore db) {
    this.db = db;
  }

  @Override
  public long version() {
    return db.tx(
        "read the users' version",
        c -> {
          try (PreparedStatement s =
                  c.prepareStatement("SELECT version FROM identities WHERE id = 1");
              ResultSet r = s.executeQuery()) {
            return r.next() ? r.getLong(1) : -1L;
          }
        });
  }

  @Override
  public List<JsonNode> read() throws IOException {
    String body =
        db.tx(
            "read the users",
            c -> {
              try (PreparedStatement s =
                      c.prepareStatement("SELECT body FROM identities WHERE id = 1");
                  ResultSet r = s.executeQuery()) {
                return r.next() ? r.getString(1) : "[]";
              }
            });
    return Json.MAPPER.readValue(body, LIST);
  }

  @Override
  public void update(UnaryOperator<List<JsonNode>> update) throws IOException {
    try {
      db.tx(
          "update the users",
          c -> {
            String body;
            try (PreparedStatement s =
                    c.prepareStatement("SELECT body FROM identities WHERE id = 1 FOR UPDATE");
                ResultSet r = s.executeQuery()) {
              if (!r.next()) {
                throw new IllegalStateException("the table identities has no row 1");
              }
              body = r.getString(1);
            }
            List<JsonNode> entries;
            String written;
            try {
              entries = update.apply(new ArrayList<>(Json.MAPPER.readValue(body, LIST)));
              written = Json.MAPPER.writeValueAsString(entries);
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
            try (PreparedStatement s =
                c.prepareStatement(
                    "UPDATE identities SET body = ?, version = version + 1 WHERE id = 1")) {
              s.setString(1, written);
              return s.executeUpdate();
            }
          });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  @Override
  public String describe() {
    return "the table identities of " + db.url();
  }
}
