package io.hpcwhisk.bench.balancer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class StoreFiguresTest {

  private static StoreFigures embedded() {
    // 20,000 activations in 10 s: 2,000/s; 4 s of server CPU = 200 us each
    return new StoreFigures(
        "embedded",
        20_000,
        10.0,
        1.5,
        4.0,
        0.5,
        4_000_000_000L,
        0,
        2_000_000_000L,
        1_000_000_000L,
        null,
        0);
  }

  private static StoreFigures postgres() {
    // 10,000 activations in 10 s: 1,000/s
    return new StoreFigures(
        "postgres 2 servers",
        10_000,
        10.0,
        3.0,
        9.0,
        1.0,
        3_000_000_000L,
        2_500_000_000L,
        1_000_000_000L,
        500_000_000L,
        new PgStats(30_000, 90_000, 25_000_000, 4_000, 2_500),
        4_000);
  }

  @Test
  void perActivationFiguresDivideByTheActivations() {
    StoreFigures pg = postgres();
    assertThat(pg.perSecond()).isEqualTo(1_000.0);
    assertThat(pg.microsPerActivation(pg.serverCpuNanos())).isEqualTo(300.0);
    assertThat(pg.microsPerActivation(pg.postgresCpuNanos())).isEqualTo(250.0);
    assertThat(pg.perActivation(pg.pg().transactions())).isEqualTo(3.0);
    assertThat(pg.perActivation(pg.pg().walSyncs())).isEqualTo(0.25);
    assertThat(pg.perActivation(pg.handOffs())).isEqualTo(0.4);
  }

  @Test
  void ratioIsToTheBaseThroughput() {
    assertThat(postgres().ratioTo(embedded())).isCloseTo(0.5, within(1e-9));
    assertThat(embedded().ratioTo(embedded())).isEqualTo(1.0);
  }

  @Test
  void nothingMeasuredGivesZeroesNotInfinity() {
    StoreFigures none =
        new StoreFigures("none", 0, 0, 0, 0, 0, 5, 5, 5, 5, new PgStats(1, 1, 1, 1, 1), 1);
    assertThat(none.perSecond()).isZero();
    assertThat(none.microsPerActivation(5)).isZero();
    assertThat(embedded().ratioTo(none)).isNaN();
  }

  @Test
  void throughputTableHasOneLinePerSetUpWithRatiosToTheFirst() {
    String table = StoreFigures.throughputTable(List.of(embedded(), postgres()));
    List<String> lines = table.lines().toList();
    assertThat(lines).hasSize(3);
    assertThat(lines.get(1)).startsWith("embedded").contains(" 2000 ", " 1.000 ", "4.00");
    assertThat(lines.get(2))
        .startsWith("postgres 2 servers")
        .contains(" 1000 ", " 0.500 ", "3.00", "9.00", "<=1.00");
  }

  @Test
  void timeTableLeavesDatabaseColumnsEmptyForTheEmbeddedStore() {
    String table = StoreFigures.timeTable(List.of(embedded(), postgres()));
    List<String> lines = table.lines().toList();
    assertThat(lines.get(0)).contains("server us", "pg us", "xacts", "fsyncs", "via queue");
    // embedded: server 200 us, pilots 100, runtimes 50, total 350; no database figures
    assertThat(lines.get(1).split("\\s+")).contains("200", "-", "100", "50", "350");
    // postgres: server 300, pg 250, pilots 100, runtimes 50, total 700; 3 xacts, 2500 WAL bytes,
    // 0.250 fsyncs, 0.400 through the queue
    assertThat(lines.get(2).split("\\s+"))
        .contains("300", "250", "100", "50", "700", "3.00", "2500", "0.250", "0.400");
  }

  @Test
  void pgStatsParsesPsqlOutputAndSubtracts() {
    PgStats before = PgStats.parse("100|200|3000|40|5\n");
    PgStats after = PgStats.parse(" 150|260|4000|50|7 ");
    assertThat(after.minus(before)).isEqualTo(new PgStats(50, 60, 1000, 10, 2));
  }

  @Test
  void pgStatsRejectsOutputItCannotReadNamingIt() {
    assertThatThrownBy(() -> PgStats.parse("1|2|3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'1|2|3'")
        .hasMessageContaining("expected 5 fields");
    assertThatThrownBy(() -> PgStats.parse("1|2|x|4|5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'1|2|x|4|5'")
        .hasMessageContaining("expected 5 integers");
    assertThatThrownBy(() -> PgStats.parse(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("expected 5 fields");
  }

  @Test
  void pgStatsQueryTakesOnlyAPlainDatabaseName() {
    assertThat(PgStats.query("bench")).contains("d.datname = 'bench'", "pg_stat_wal");
    assertThatThrownBy(() -> PgStats.query("bench' OR '1'='1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'bench' OR '1'='1'")
        .hasMessageContaining("expected a lower-case SQL identifier");
  }

  @Test
  void backgroundMeasuredWhileIdleIsSubtractedAtTheSameRate() {
    // 1,000 during 10 s, 60 while idle for 20 s (3/s): 30 of the 1,000 were background
    assertThat(StoreFigures.lessBackground(1_000, 10, 60, 20)).isEqualTo(970);
    // never below zero, and unchanged without an idle measurement
    assertThat(StoreFigures.lessBackground(10, 10, 600, 20)).isZero();
    assertThat(StoreFigures.lessBackground(10, 10, 600, 0)).isEqualTo(10);
    PgStats run = new PgStats(1_000, 3_000, 400_000, 500, 500);
    PgStats idle = new PgStats(110, 220, 33_000, 22, 11);
    assertThat(run.lessBackground(10, idle, 11))
        .isEqualTo(new PgStats(900, 2_800, 370_000, 480, 490));
  }
}
