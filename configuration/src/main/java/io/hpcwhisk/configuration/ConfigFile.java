package io.hpcwhisk.configuration;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.JsonParserDelegate;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;

/**
 * Reads {@code hpc-whisk.yaml} into a tree, refusing what no configuration needs: more than {@link
 * #MAX_BYTES}, aliases (so no "billion laughs" bomb), nesting deeper than {@link #MAX_DEPTH},
 * duplicate keys, a top-level section nobody reads, and a file other accounts may write (it names
 * the data directory, the pilot script and the token directory, so whoever can write it controls
 * where secrets go; the same rule as the data directory's).
 */
public final class ConfigFile {

  /** The largest file read: the shipped one is about 10 kB. */
  public static final int MAX_BYTES = 1024 * 1024;

  /** The deepest nesting of mappings and lists. */
  public static final int MAX_DEPTH = 20;

  /** The top-level sections, each read by its own component; anything else is a typo. */
  public static final Set<String> SECTIONS =
      Set.of("slurm", "harvest", "api", "balancer", "http", "store", "pilot", "alarms");

  private static final ObjectMapper YAML;

  static {
    LoaderOptions loader = new LoaderOptions();
    loader.setMaxAliasesForCollections(
        0); // not used by Jackson's event parser; aliases are refused below
    loader.setNestingDepthLimit(MAX_DEPTH);
    loader.setCodePointLimit(MAX_BYTES);
    loader.setAllowDuplicateKeys(false);
    YAMLFactory factory =
        YAMLFactory.builder()
            .loaderOptions(loader)
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(MAX_BYTES)
                    .maxNumberLength(64)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(
                YAMLParser.Feature
                    .EMPTY_STRING_AS_NULL) // "key:" with nothing after it is null (the default)
            .build();
    YAML = new YAMLMapper(factory);
  }

  private ConfigFile() {}

  /** The file's top-level mapping (empty for an empty file). */
  public static ObjectNode read(Path file) {
    PosixFileAttributes attributes;
    try {
      attributes = Files.readAttributes(file, PosixFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw new ConfigException("configuration file " + file + " does not exist");
    } catch (IOException | UnsupportedOperationException e) {
      throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
    }
    if (!attributes.isRegularFile()) {
      throw new ConfigException("configuration file " + file + " is not a regular file");
    }
    Set<PosixFilePermission> mode = attributes.permissions();
    if (mode.contains(PosixFilePermission.GROUP_WRITE)
        || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
      throw new ConfigException(
          "refusing to read configuration file "
              + file
              + ": it is group- or world-writable"
              + " (mode "
              + PosixFilePermissions.toString(mode)
              + "), so another account could change where the data,"
              + " the pilot script and the credentials are; check its contents, then: chmod go-w "
              + file);
    }
    if (attributes.size() > MAX_BYTES) {
      throw tooLarge(file);
    }
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_BYTES + 1); // the file may have grown since
    } catch (IOException e) {
      throw new ConfigException("cannot read configuration file " + file + ": " + e.getMessage());
    }
    if (bytes.length > MAX_BYTES) {
      throw tooLarge(file);
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new ConfigException("configuration file " + file + " is not UTF-8 text");
    }
    try {
      return parse(text);
    } catch (ConfigException e) {
      throw new ConfigException(
          e.key(),
          e.getMessage().substring(e.key().isEmpty() ? 0 : e.key().length() + 2)
              + (e.key().isEmpty() ? "" : " (in " + file + ")"));
    }
  }

  /**
   * YAML text's top-level mapping (empty for empty text), with the same limits as {@link
   * #read(Path)}.
   */
  public static ObjectNode parse(String yaml) {
    if (yaml.length() > MAX_BYTES) {
      throw new ConfigException("configuration is larger than " + MAX_BYTES + " bytes");
    }
    JsonNode root;
    try (JsonParser parser = new NoAliases(YAML.createParser(yaml))) {
      root = YAML.readTree(parser);
    } catch (IOException | RuntimeException e) {
      throw new ConfigException("configuration is not valid YAML: " + yamlProblem(e));
    }
    if (root == null || root.isMissingNode() || root.isNull()) {
      return JsonNodeFactory.instance.objectNode();
    }
    if (!root.isObject()) {
      throw new ConfigException(
          "configuration must be a mapping of sections ("
              + String.join(", ", new TreeSet<>(SECTIONS))
              + "), got "
              + ConfigBinding.describe(root));
    }
    List<String> unknown = new ArrayList<>();
    root.fieldNames()
        .forEachRemaining(
            k -> {
              if (!SECTIONS.contains(k)) {
                unknown.add(k);
              }
            });
    if (!unknown.isEmpty()) {
      String k = unknown.get(0);
      throw new ConfigException(
          ConfigBinding.printable(k),
          "unknown section (did you mean "
              + Nearest.to(k, SECTIONS)
              + "?; the sections are "
              + String.join(", ", new TreeSet<>(SECTIONS))
              + ")");
    }
    return (ObjectNode) root;
  }

  /**
   * Refuses aliases: Jackson would read {@code *name} as the text {@code name}, not the anchored
   * value, so an alias never means what its writer meant (and a "billion laughs" file is refused at
   * its first alias).
   */
  private static final class NoAliases extends JsonParserDelegate {
    NoAliases(JsonParser yaml) {
      super(yaml);
    }

    @Override
    public JsonToken nextToken() throws IOException {
      JsonToken t = delegate.nextToken();
      if (delegate instanceof YAMLParser y && y.isCurrentAlias()) {
        throw new JsonParseException(
            delegate,
            "aliases (*"
                + ConfigBinding.printable(y.getText())
                + ") are not supported; write the value out");
      }
      return t;
    }
  }

  private static ConfigException tooLarge(Path file) {
    return new ConfigException(
        "configuration file "
            + file
            + " is larger than "
            + MAX_BYTES
            + " bytes; a configuration is a few kB");
  }

  /** The parser's own words, first line, without the echo of the document. */
  private static String yamlProblem(Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String first = m.lines().findFirst().orElse(m);
    if (m.toLowerCase(Locale.ROOT).contains("nesting depth")) {
      return "nested deeper than " + MAX_DEPTH + " levels";
    }
    if (m.contains("Number value length")) {
      return "a number longer than 64 digits";
    }
    if (m.contains("String value length")) {
      return "a text longer than " + MAX_BYTES + " characters";
    }
    if (m.contains("Duplicate field") || m.contains("found duplicate key")) {
      return first.replaceAll(" at \\[Source.*", "");
    }
    return first.length() > 200 ? first.substring(0, 200) + "..." : first;
  }
}
