package io.hpcwhisk.runtime;

import static io.hpcwhisk.runtime.TestActions.input;
import static org.assertj.core.api.Assertions.assertThat;

import io.hpcwhisk.protocol.ActivationStatus;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One action of every kind, run in real node, python3, java and native processes. */
class ActionRuntimesKindsTest {

  @TempDir static Path work;
  static ActionRuntimes runtimes;

  @BeforeAll
  static void start() {
    startWith(RuntimeConfig.Sandbox.OFF);
  }

  /**
   * Starts the shared runtimes; {@link SandboxedActionRuntimesKindsTest} runs every test again in
   * bwrap.
   */
  static void startWith(RuntimeConfig.Sandbox sandbox) {
    runtimes =
        new ActionRuntimes(RuntimeConfig.defaults(work.resolve("rt"), 4096).withSandbox(sandbox))
            .warmUp();
  }

  @AfterAll
  static void stop() {
    runtimes.close();
  }

  @Test
  void nodejsTextActionGreetsAndIsWarmTheSecondTime() {
    ActionSpec spec =
        ActionSpec.text(
            "guest/hello-node@1",
            "nodejs:20",
            "function main(params) { console.log('hello ' + params.name); console.error('to"
                + " stderr'); return { greeting: 'Hello ' + params.name }; }");

    ActivationResult first = runtimes.invoke(spec, input("{\"name\":\"Ada\"}"));
    ActivationResult second = runtimes.invoke(spec, input("{\"name\":\"Bob\"}"));

    assertThat(first.status()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(first.resultJson()).isEqualTo("{\"greeting\":\"Hello Ada\"}");
    assertThat(first.cold()).isTrue();
    assertThat(first.initTime()).get().matches(d -> !d.isNegative());
    // stdout and stderr are read by two threads: their relative order is not guaranteed.
    assertThat(first.logs())
        .hasSize(2)
        .anyMatch(
            l -> l.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z stdout: hello Ada"))
        .anyMatch(l -> l.endsWith(" stderr: to stderr"));
    assertThat(second.cold()).isFalse();
    assertThat(second.resultJson()).isEqualTo("{\"greeting\":\"Hello Bob\"}");
    assertThat(second.logs()).hasSize(2).anyMatch(l -> l.endsWith("stdout: hello Bob"));
  }

  @Test
  void aWarmNodeRuntimeGivesEachActivationItsOwnOpenWhiskVariablesAlsoAfterTheActionChangedThem() {
    ActionSpec spec =
        ActionSpec.text(
            "guest/env-node@1",
            "nodejs:20",
            "function main() { const id = process.env.__OW_ACTIVATION_ID; const ns ="
                + " process.env.__OW_NAMESPACE; process.env.__OW_NAMESPACE = 'tampered'; delete"
                + " process.env.__OW_API_HOST; return { id: id, ns: ns }; }");

    ActivationResult first = runtimes.invoke(spec, input("env-1", "{}"));
    ActivationResult second = runtimes.invoke(spec, input("env-2", "{}"));

    assertThat(first.resultJson()).isEqualTo("{\"id\":\"env-1\",\"ns\":\"guest\"}");
    assertThat(second.cold()).isFalse();
    assertThat(second.resultJson()).isEqualTo("{\"id\":\"env-2\",\"ns\":\"guest\"}");
  }

  @Test
  void nodejsDefaultKindAcceptsExportsAndPromises() {
    ActionSpec spec =
        ActionSpec.text(
            "guest/promise@1",
            "nodejs:default",
            "exports.main = async (p) => new Promise(r => setTimeout(() => r({ n: p.n * 2 }),"
                + " 10));");

    ActivationResult result = runtimes.invoke(spec, input("{\"n\":21}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(result.resultJson()).isEqualTo("{\"n\":42}");
  }

  @Test
  void nodejsZipUsesPackageJsonMain() {
    String zip =
        TestActions.zip(
            Map.of(
                "package.json", "{\"name\":\"z\",\"main\":\"lib/entry.js\"}",
                "lib/entry.js",
                    "const helper = require('./helper'); exports.main = p => ({ v: helper(p.x) });",
                "lib/helper.js", "module.exports = x => x + 1;"));
    ActionSpec spec = ActionSpec.binary("guest/zip-node@1", "nodejs:20", zip, "main");

    ActivationResult result = runtimes.invoke(spec, input("{\"x\":1}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(result.resultJson()).isEqualTo("{\"v\":2}");
  }

  @Test
  void pythonTextAction() {
    ActionSpec spec =
        ActionSpec.text(
            "guest/hello-py@1",
            "python:3",
            "def main(args):\n"
                + "    print('hi', args.get('name'))\n"
                + "    return {'greeting': 'Hello ' + args.get('name')}\n");

    ActivationResult result = runtimes.invoke(spec, input("{\"name\":\"Ada\"}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(result.resultJson()).isEqualTo("{\"greeting\":\"Hello Ada\"}");
    assertThat(result.logs()).singleElement().asString().endsWith(" stdout: hi Ada");
  }

  @Test
  void pythonZipUsesMainPyAndCustomEntryPoint() {
    String zip =
        TestActions.zip(
            Map.of(
                "__main__.py",
                "from helper import twice\n"
                    + "def handler(args):\n"
                    + "    return {'v': twice(args['x'])}\n",
                "helper.py",
                "def twice(x):\n    return 2 * x\n"));
    ActionSpec spec = ActionSpec.binary("guest/zip-py@1", "python:default", zip, "handler");

    ActivationResult result = runtimes.invoke(spec, input("{\"x\":4}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(result.resultJson()).isEqualTo("{\"v\":8}");
  }

  @Test
  void javaJarWithGsonMain(@TempDir Path dir) {
    String jar =
        TestActions.javaJar(
            dir,
            Map.of(
                "demo.Hello",
                """
                package demo;
                import com.google.gson.JsonObject;
                public class Hello {
                  public static JsonObject main(JsonObject args) {
                    System.out.println("java says hi");
                    JsonObject out = new JsonObject();
                    out.addProperty("greeting", "Hello " + args.get("name").getAsString());
                    out.addProperty("id", System.getenv("__OW_ACTIVATION_ID"));
                    return out;
                  }
                }
                """));
    ActionSpec spec = ActionSpec.binary("guest/hello-java@1", "java", jar, "demo.Hello");

    ActivationResult result = runtimes.invoke(spec, input("act-java-1", "{\"name\":\"Ada\"}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(result.resultJson()).isEqualTo("{\"greeting\":\"Hello Ada\",\"id\":\"act-java-1\"}");
    assertThat(result.logs()).singleElement().asString().endsWith(" stdout: java says hi");
  }

  @Test
  void nativeExecutableSpeaksTheActionLoop() {
    String script =
        """
        #!/bin/sh
        while read -r line; do
          echo "got $line"
          echo '{"native": true}' >&3
        done
        """;
    ActionSpec spec = ActionSpec.text("guest/native@1", "blackbox", script);

    ActivationResult first = runtimes.invoke(spec, input("{\"x\":1}"));
    ActivationResult second = runtimes.invoke(spec, input("{\"x\":2}"));

    assertThat(first.status()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(first.resultJson()).isEqualTo("{\"native\":true}");
    assertThat(second.cold()).isFalse();
    // Native programs write no end markers: a line written before the result is read before the
    // activation ends (the pump reads only what the pipe holds, and the pipe is empty after it), so
    // each activation has its own line, on a loaded machine too.
    assertThat(first.logs())
        .singleElement()
        .asString()
        .contains("stdout: got {\"value\":{\"x\":1}");
    assertThat(second.logs())
        .singleElement()
        .asString()
        .contains("stdout: got {\"value\":{\"x\":2}");
  }

  @Test
  void nativeZipRunsItsExecFile() {
    String zip =
        TestActions.zip(
            Map.of("exec", "#!/bin/sh\nwhile read -r l; do echo '{\"zipped\":1}' >&3; done\n"));
    ActionSpec spec = ActionSpec.binary("guest/native-zip@1", "native", zip, null);

    ActivationResult result = runtimes.invoke(spec, input("{}"));

    assertThat(result.status()).isEqualTo(ActivationStatus.SUCCESS);
    assertThat(result.resultJson()).isEqualTo("{\"zipped\":1}");
  }
}
