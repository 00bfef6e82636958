package io.hpcwhisk.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every message round-trips, and the golden samples in {@code src/test/resources/.../samples/} (the
 * wire format both sides agree on) decode to the expected messages and encode back to the same
 * JSON.
 */
class PilotProtocolTest {

  static ObjectNode params() {
    return PilotProtocol.mapper().createObjectNode().put("name", "Ada");
  }

  static ActivationRequest request() {
    return new ActivationRequest(
        "a1b2",
        "guest",
        "/guest/hello",
        "guest/hello@0.0.1",
        "nodejs:20",
        "function main(p) { return p; }",
        false,
        "main",
        Map.of("K", "v"),
        new ActionLimitsSpec(60_000, 256, 10_485_760, 1_048_576),
        params(),
        1_900_000_060_000L,
        "https://whisk.example",
        null,
        1_900_000_000_000L,
        1,
        false);
  }

  static Stream<PilotMessage> pilotMessages() {
    return Stream.of(
        new PilotMessage.Register(
            "slurm-42",
            "42",
            "n1",
            2,
            2000,
            List.of("nodejs:20", "python:3"),
            Map.of(),
            1_900_000_600_000L,
            1_900_000_000_000L,
            1_900_000_000_250L,
            "0.1.0",
            PilotProtocol.MINOR),
        new PilotMessage.Register(
            "slurm-43",
            "43",
            "n2",
            2,
            2000,
            List.of("nodejs:20"),
            Map.of(),
            1_900_000_600_000L,
            1_900_000_000_000L,
            1_900_000_000_250L,
            "0.1.0",
            PilotProtocol.MINOR,
            "alice"),
        new PilotMessage.Heartbeat(
            7,
            1_900_000_001_000L,
            1744,
            1,
            Map.of("guest/hello@0.0.1", 1),
            false,
            new PilotMetrics(Map.of("success", 3L), 1, 2, 40, 9, 1, 0, 0)),
        new PilotMessage.Accepted("a1b2"),
        new PilotMessage.Completed(
            new ActivationOutcome(
                "a1b2",
                ActivationStatus.APPLICATION_ERROR,
                PilotProtocol.mapper().createObjectNode().put("error", "boom"),
                List.of("2026-11-27T00:55:51.123456789Z stdout: hi"),
                10,
                25,
                12,
                3,
                true)),
        new PilotMessage.Draining("SIGTERM", 1_900_000_010_000L),
        new PilotMessage.HandBack(
            List.of(
                new PilotMessage.HandBack.Item("a1", false),
                new PilotMessage.HandBack.Item("a2", true)),
            "left"),
        new PilotMessage.Started("a1b2", 1_900_000_000_010L),
        new PilotMessage.Completed(
            new ActivationOutcome(
                "a1b2",
                ActivationStatus.WHISK_ERROR,
                PilotProtocol.mapper().createObjectNode().put("error", "no runtime"),
                List.of(),
                10,
                12,
                0,
                1,
                false),
            PilotMessage.Completed.FAULT_RUNTIME_START),
        new PilotMessage.Pong("7"),
        new PilotMessage.Leaving("drained"));
  }

  static Stream<BalancerMessage> balancerMessages() {
    return Stream.of(
        new BalancerMessage.Refused("invalid credential for job 42"),
        new BalancerMessage.Activate(request()),
        new BalancerMessage.Cancel("a1b2", "re-dispatched"),
        new BalancerMessage.Drain("scale down"),
        new BalancerMessage.Registered("slurm-42", 500, 1_900_000_000_000L, PilotProtocol.MINOR),
        new BalancerMessage.Ping("7"),
        new BalancerMessage.Forget("/guest/hello", "the action was deleted or replaced"));
  }

  @ParameterizedTest
  @MethodSource("pilotMessages")
  void pilotMessagesRoundTrip(PilotMessage message) {
    String json = PilotProtocol.encode(message);

    assertThat(json).startsWith("{\"v\":1,\"type\":\"");
    assertThat(PilotProtocol.decodePilotMessage(json)).isEqualTo(message);
  }

  @ParameterizedTest
  @MethodSource("balancerMessages")
  void balancerMessagesRoundTrip(BalancerMessage message) {
    String json = PilotProtocol.encode(message);

    assertThat(json).startsWith("{\"v\":1,\"type\":\"");
    assertThat(PilotProtocol.decodeBalancerMessage(json)).isEqualTo(message);
  }

  @Test
  void goldenActivateSampleDecodes() throws IOException {
    String sample = sample("activate.json");

    BalancerMessage message = PilotProtocol.decodeBalancerMessage(sample);

    assertThat(message).isEqualTo(new BalancerMessage.Activate(request()));
    assertThat(json(PilotProtocol.encode(message))).isEqualTo(json(sample));
  }

  @Test
  void goldenRegisterAndCompletedSamplesDecode() throws IOException {
    PilotMessage.Register first = (PilotMessage.Register) pilotMessages().findFirst().orElseThrow();
    // register.json is a minor-0 sample (no minor field): the same registration, announcing minor 0
    assertThat(PilotProtocol.decodePilotMessage(sample("register.json")))
        .isEqualTo(
            new PilotMessage.Register(
                first.pilotId(),
                first.jobId(),
                first.node(),
                first.cpus(),
                first.memoryMb(),
                first.kinds(),
                first.warm(),
                first.deadlineMs(),
                first.jobStartMs(),
                first.launchedAtMs(),
                first.pilotVersion(),
                0));
    PilotMessage completed = PilotProtocol.decodePilotMessage(sample("completed.json"));
    assertThat(completed).isInstanceOf(PilotMessage.Completed.class);
    assertThat(((PilotMessage.Completed) completed).outcome().status())
        .isEqualTo(ActivationStatus.SUCCESS);
    assertThat(((PilotMessage.Completed) completed).outcome().durationMs()).isEqualTo(15);
  }

  /**
   * Minor 1 samples; minor 0 samples (fields absent) decode as minor 0, which either side refuses.
   */
  @Test
  void goldenMinorOneSamplesDecodeAndMinorZeroOnesAreRefused() throws IOException {
    PilotMessage.Register old =
        (PilotMessage.Register) PilotProtocol.decodePilotMessage(sample("register.json"));
    assertThat(old.minor()).isZero();
    assertThat(PilotProtocol.minorRefusal(old.minor())).isPresent();
    PilotMessage.Register current =
        (PilotMessage.Register) PilotProtocol.decodePilotMessage(sample("register-minor1.json"));
    assertThat(current.minor()).isEqualTo(PilotProtocol.MINOR);
    assertThat(PilotProtocol.minorRefusal(current.minor())).isEmpty();
    assertThat(PilotProtocol.decodeBalancerMessage(sample("registered.json")))
        .isEqualTo(new BalancerMessage.Registered("slurm-42", 500, 1_900_000_000_300L, 1));
    BalancerMessage.Registered oldRegistered =
        (BalancerMessage.Registered)
            PilotProtocol.decodeBalancerMessage(sample("registered-minor0.json"));
    assertThat(oldRegistered.minor()).isZero();
    assertThat(PilotProtocol.minorRefusal(oldRegistered.minor())).isPresent();
    assertThat(PilotProtocol.decodePilotMessage(sample("started.json")))
        .isEqualTo(new PilotMessage.Started("a1b2", 1_900_000_000_010L));
    PilotMessage.HandBack handBack =
        (PilotMessage.HandBack) PilotProtocol.decodePilotMessage(sample("hand-back.json"));
    assertThat(handBack.activations())
        .containsExactly(
            new PilotMessage.HandBack.Item("a1", false),
            new PilotMessage.HandBack.Item("a2", true));
    PilotMessage.Completed fault =
        (PilotMessage.Completed) PilotProtocol.decodePilotMessage(sample("completed-fault.json"));
    assertThat(fault.fault()).isEqualTo(PilotMessage.Completed.FAULT_RUNTIME_START);
    assertThat(
            ((PilotMessage.Completed) PilotProtocol.decodePilotMessage(sample("completed.json")))
                .fault())
        .isNull();
    assertThat(PilotProtocol.decodeBalancerMessage(sample("cancel.json")))
        .isEqualTo(new BalancerMessage.Cancel("a1b2", "not acknowledged in time"));
    assertThat(PilotProtocol.decodeBalancerMessage(sample("ping.json")))
        .isEqualTo(new BalancerMessage.Ping("7"));
    assertThat(PilotProtocol.decodePilotMessage(sample("pong.json")))
        .isEqualTo(new PilotMessage.Pong("7"));
    // re-encoding a sample gives the same JSON (the wire format is what the samples show)
    for (String name :
        List.of(
            "started.json",
            "hand-back.json",
            "completed-fault.json",
            "register-minor1.json",
            "pong.json")) {
      assertThat(json(PilotProtocol.encode(PilotProtocol.decodePilotMessage(sample(name)))))
          .as(name)
          .isEqualTo(json(sample(name)));
    }
    for (String name : List.of("registered.json", "cancel.json", "ping.json")) {
      assertThat(json(PilotProtocol.encode(PilotProtocol.decodeBalancerMessage(sample(name)))))
          .as(name)
          .isEqualTo(json(sample(name)));
    }
  }

  /**
   * The negotiation kept for later minors: from MIN_MINOR on a peer is served, below it refused by
   * name.
   */
  @Test
  void minorsBelowTheOldestSupportedAreRefusedNamingTheMinorAndLaterOnesAreServed() {
    assertThat(PilotProtocol.MIN_MINOR).isEqualTo(1).isLessThanOrEqualTo(PilotProtocol.MINOR);
    assertThat(PilotProtocol.minorRefusal(0))
        .hasValue(
            "protocol minor 0 is not supported: this side speaks 1.1 and needs minor 1 or later");
    assertThat(PilotProtocol.minorRefusal(PilotProtocol.MIN_MINOR)).isEmpty();
    assertThat(PilotProtocol.minorRefusal(PilotProtocol.MINOR + 1))
        .isEmpty(); // a later minor: served with ours
  }

  @Test
  void aHandBackIsItsItemsOnlyAndTheOldIdsFieldIsIgnored() {
    String handBack =
        PilotProtocol.encode(
            new PilotMessage.HandBack(List.of(new PilotMessage.HandBack.Item("a1", true)), "left"));
    assertThat(handBack)
        .doesNotContain("activationIds")
        .contains("\"activations\":[{\"activationId\":\"a1\"");
    // what pilots built before minor 0 was dropped still send beside the items: unknown fields are
    // ignored
    assertThat(
            PilotProtocol.decodePilotMessage(
                "{\"v\":1,\"type\":\"hand-back\",\"activationIds\":[\"a1\"],"
                    + "\"activations\":[{\"activationId\":\"a1\",\"started\":true}],\"reason\":\"left\"}"))
        .isEqualTo(
            new PilotMessage.HandBack(List.of(new PilotMessage.HandBack.Item("a1", true)), "left"));
  }

  @Test
  void otherVersionsAreRefusedWithTheVersionInTheMessage() {
    assertThatThrownBy(
            () ->
                PilotProtocol.decodePilotMessage("{\"v\":2,\"type\":\"leaving\",\"reason\":\"x\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unsupported protocol version 2");
    assertThatThrownBy(() -> PilotProtocol.decodeBalancerMessage("{\"type\":\"drain\"}"))
        .hasMessageContaining("unsupported protocol version null");
  }

  @Test
  void unknownFieldsAreIgnoredAndUnknownTypesRefused() {
    assertThat(
            PilotProtocol.decodePilotMessage(
                "{\"v\":1,\"type\":\"leaving\",\"reason\":\"x\",\"extra\":1}"))
        .isEqualTo(new PilotMessage.Leaving("x"));
    assertThatThrownBy(() -> PilotProtocol.decodePilotMessage("{\"v\":1,\"type\":\"dance\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid PilotMessage");
  }

  @Test
  void messagesInAnotherFieldOrderOrInvalidOnTheFastPathDecodeOrFailAsBefore() {
    // the one-pass path needs "v" first; any order still decodes (through the tree)
    assertThat(
            PilotProtocol.decodePilotMessage(
                "{\"type\":\"accepted\",\"activationId\":\"a1\",\"v\":1}"))
        .isEqualTo(new PilotMessage.Accepted("a1"));
    // invalid after a valid prefix: the same error as through the tree
    assertThatThrownBy(() -> PilotProtocol.decodePilotMessage("{\"v\":1,\"type\":\"accepted\"}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("invalid PilotMessage");
    assertThatThrownBy(() -> PilotProtocol.decodePilotMessage("{\"v\":1,\"type\":\"leaving\""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a JSON message");
  }

  @Test
  void statusUsesOpenWhiskNamesAndCodes() {
    assertThat(ActivationStatus.parse("action developer error"))
        .isEqualTo(ActivationStatus.DEVELOPER_ERROR);
    assertThat(ActivationStatus.WHISK_ERROR.code()).isEqualTo(3);
    assertThat(PilotProtocol.mapper().valueToTree(ActivationStatus.APPLICATION_ERROR).asText())
        .isEqualTo("application error");
  }

  private static JsonNode json(String text) throws IOException {
    return PilotProtocol.mapper().readTree(text);
  }

  static String sample(String name) {
    return PilotProtocol.sample(name);
  }

  @Test
  void aSingleTenantRegistrationCarriesItsNamespaceAndAnOrdinaryOneOmitsTheField() {
    String single =
        PilotProtocol.encode(
            new PilotMessage.Register(
                "slurm-43",
                "43",
                "n2",
                2,
                2000,
                List.of(),
                Map.of(),
                1L,
                1L,
                1L,
                "0.1.0",
                PilotProtocol.MINOR,
                "alice"));
    String shared =
        PilotProtocol.encode(
            new PilotMessage.Register(
                "slurm-44",
                "44",
                "n2",
                2,
                2000,
                List.of(),
                Map.of(),
                1L,
                1L,
                1L,
                "0.1.0",
                PilotProtocol.MINOR));

    assertThat(single).contains("\"onlyNamespace\":\"alice\"");
    assertThat(shared).doesNotContain("onlyNamespace");
    assertThat(((PilotMessage.Register) PilotProtocol.decodePilotMessage(shared)).onlyNamespace())
        .isNull();
  }

  @Test
  void aGpuPilotSendsItsGpuIdsAndARegistrationWithoutThemIsACpuOnlyPilot() {
    String gpu =
        PilotProtocol.encode(
            new PilotMessage.Register(
                "slurm-45",
                "45",
                "n1",
                2,
                2000,
                List.of(),
                Map.of(),
                1L,
                1L,
                1L,
                "0.1.0",
                PilotProtocol.MINOR,
                null,
                List.of("0", "1")));
    assertThat(gpu).contains("\"gpuIds\":[\"0\",\"1\"]");
    assertThat(((PilotMessage.Register) PilotProtocol.decodePilotMessage(gpu)).gpuIds())
        .containsExactly("0", "1");

    // as an older pilot of minor 1 writes it: no gpuIds field
    String old = gpu.replace(",\"gpuIds\":[\"0\",\"1\"]", "");
    assertThat(old).doesNotContain("gpuIds");
    assertThat(((PilotMessage.Register) PilotProtocol.decodePilotMessage(old)).gpuIds()).isEmpty();
  }

  @Test
  void aGpuIdThatIsNoIdIsRefused() {
    Assertions.assertThatThrownBy(
            () ->
                new PilotMessage.Register(
                    "slurm-46",
                    "46",
                    "n1",
                    2,
                    2000,
                    List.of(),
                    Map.of(),
                    1L,
                    1L,
                    1L,
                    "0.1.0",
                    PilotProtocol.MINOR,
                    null,
                    List.of("0; rm -rf /")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("gpuIds must be GPU ids");
  }

  @Test
  void limitsWithoutCoresAndGpusAskForNoneAndOmitTheFields() {
    String plain = PilotProtocol.mapper().valueToTree(ActionLimitsSpec.defaults()).toString();
    assertThat(plain).doesNotContain("cores").doesNotContain("gpus");
    ActionLimitsSpec withDevices = new ActionLimitsSpec(1000, 256, 10, 10, 2, 1);
    String json = PilotProtocol.mapper().valueToTree(withDevices).toString();
    assertThat(json).contains("\"cores\":2").contains("\"gpus\":1");
    try {
      assertThat(PilotProtocol.mapper().readValue(plain, ActionLimitsSpec.class).cores()).isZero();
      assertThat(PilotProtocol.mapper().readValue(json, ActionLimitsSpec.class))
          .isEqualTo(withDevices);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
