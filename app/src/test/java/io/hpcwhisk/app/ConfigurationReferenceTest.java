package io.hpcwhisk.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.hpcwhisk.balancer.config.ServerConfig;
import io.hpcwhisk.pilot.PilotConfig;
import io.hpcwhisk.slurm.controller.HarvestConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The configuration reference in docs/admin-guide.md against the code: every documented key is
 * accepted, every documented literal default is exactly what leaving the key out means, and every
 * key the code reads is documented.
 */
class ConfigurationReferenceTest {

  private static final Path GUIDE = Path.of("..", "docs", "admin-guide.md");
  private static final Pattern ROW = Pattern.compile("^\\| `([a-z][a-z.-]*)` \\| ([^|]*?) \\|");

  @TempDir Path dir;

  /** A row of the table: the dotted key and its default when written as a `literal`, else null. */
  record Row(String key, String literal) {}

  static List<Row> documented() throws IOException {
    List<Row> rows = new ArrayList<>();
    boolean inReference = false;
    for (String line : Files.readAllLines(GUIDE)) {
      if (line.startsWith("### ")) {
        inReference = line.equals("### Configuration reference");
        continue;
      }
      Matcher m = ROW.matcher(line);
      if (inReference && m.find()) {
        String cell = m.group(2).strip();
        boolean literal =
            cell.length() >= 2
                && cell.startsWith("`")
                && cell.endsWith("`")
                && cell.indexOf('`', 1) == cell.length() - 1;
        rows.add(new Row(m.group(1), literal ? cell.substring(1, cell.length() - 1) : null));
      }
    }
    return rows;
  }

  @Test
  void everyDocumentedKeyIsAcceptedAndItsLiteralDefaultIsWhatLeavingItOutMeans()
      throws IOException {
    List<Row> rows = documented();
    assertThat(rows).as("rows of the reference table").hasSizeGreaterThan(60);
    int literals = 0;
    for (Row row : rows) {
      Object defaults = load(row.key(), "");
      assertThat(load(row.key(), yaml(row.key(), "~")))
          .as(row.key() + ": ~ (accepted, the default)")
          .isEqualTo(defaults);
      if (row.literal() != null) {
        literals++;
        assertThat(load(row.key(), yaml(row.key(), row.literal())))
            .as(row.key() + ": the documented default " + row.literal())
            .isEqualTo(defaults);
      }
    }
    assertThat(literals).as("rows with a literal default").isGreaterThan(60);
    Path file = Files.writeString(dir.resolve("enabled.yaml"), yaml("harvest.enabled", "true"));
    assertThat(HarvestConfig.enabledIn(file)).isTrue();
    Files.writeString(file, "");
    assertThat(HarvestConfig.enabledIn(file)).as("harvest.enabled left out").isTrue();
  }

  @Test
  void everyKeyTheCodeReadsIsDocumented() throws IOException {
    Set<String> inCode = new TreeSet<>();
    keys("", ServerConfig.class, inCode);
    keys("", HarvestConfig.class, inCode);
    keys("pilot.", PilotConfig.class, inCode);
    Set<String> inDoc = new TreeSet<>();
    documented().forEach(r -> inDoc.add(r.key()));
    assertThat(inDoc).isEqualTo(inCode);
  }

  /**
   * The keys a record binds: its components in kebab case, nested records as sections, ignored
   * names too.
   */
  private static void keys(String prefix, Class<?> type, Set<String> out) {
    JsonIgnoreProperties ignored = type.getAnnotation(JsonIgnoreProperties.class);
    if (ignored != null) {
      for (String name : ignored.value()) {
        out.add(prefix + name);
      }
    }
    for (var component : type.getRecordComponents()) {
      String key =
          prefix + new PropertyNamingStrategies.KebabCaseStrategy().translate(component.getName());
      if (component.getType().isRecord()) {
        keys(key + ".", component.getType(), out);
      } else {
        out.add(key);
      }
    }
  }

  /** {@code a.b.c: value} as nested YAML. */
  private static String yaml(String key, String value) {
    String[] parts = key.split("\\.");
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < parts.length; i++) {
      out.append("  ".repeat(i)).append(parts[i]).append(':');
      out.append(i == parts.length - 1 ? " " + value + "\n" : "\n");
    }
    return out.toString();
  }

  /** The whole configuration of the component that owns {@code key}, read from {@code yaml}. */
  private Object load(String key, String yaml) throws IOException {
    String section = key.substring(0, key.indexOf('.'));
    return switch (section) {
      case "slurm", "harvest" -> HarvestConfig.parse(yaml);
      case "api", "balancer", "http", "store", "alarms" -> ServerConfig.parse(yaml);
      case "pilot" ->
          PilotConfig.read(
              Optional.of(Files.writeString(dir.resolve("pilot.yaml"), yaml)), Map.of(), Map.of());
      default -> throw new AssertionError("no component reads section " + section);
    };
  }
}
