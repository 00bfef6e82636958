package io.hpcwhisk.bench.controller;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ControllerLoadBenchmarkTest {

  /** Slurm 22.05's sdiag, cut to its RPC sections (the user section must not be added twice). */
  private static final String SDIAG =
      "Main schedule statistics (microseconds):\n"
          + "\tLast cycle:   105\n"
          + "Remote Procedure Call statistics by message type\n"
          + "\tREQUEST_PARTITION_INFO                  ( 2009) count:4      ave_time:233   "
          + " total_time:932\n"
          + "\tREQUEST_JOB_INFO                        ( 2003) count:40     ave_time:247   "
          + " total_time:988\n"
          + "\tMESSAGE_NODE_REGISTRATION_STATUS        ( 1002) count:1002   ave_time:263   "
          + " total_time:527\n"
          + "\n"
          + "Remote Procedure Call statistics by user\n"
          + "\troot            (       0) count:1046   ave_time:530    total_time:10617\n";

  @Test
  void sumsTheCountsOfEveryMessageTypeOnly() {
    assertThat(ControllerLoadBenchmark.rpcTotal(SDIAG)).isEqualTo(1046);
  }

  @Test
  void anOutputWithoutRpcStatisticsIsMinusOne() {
    assertThat(ControllerLoadBenchmark.rpcTotal("sdiag: error: Unable to contact slurm"))
        .isEqualTo(-1);
  }

  @Test
  void childrenCpuIsReadFromProcSelfStat() {
    assertThat(ControllerLoadBenchmark.childrenCpuNanos()).isGreaterThanOrEqualTo(0);
  }
}
