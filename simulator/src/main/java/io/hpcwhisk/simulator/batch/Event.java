package io.hpcwhisk.simulator.batch;

/** One scheduled event; ordered by time, then kind, then insertion. */
final class Event implements Comparable<Event> {
  static final int JOB_END = 0;
  static final int PILOT_END = 1;
  static final int HANDOVER_DONE = 2;
  static final int PILOT_READY = 3;
  static final int NODES_FREE = 4;
  final long time;
  final int kind;
  final long seq;
  final Object ref;

  Event(long time, int kind, long seq, Object ref) {
    this.time = time;
    this.kind = kind;
    this.seq = seq;
    this.ref = ref;
  }

  @Override
  public int compareTo(Event o) {
    int c = Long.compare(time, o.time);
    if (c == 0) {
      c = Integer.compare(kind, o.kind);
    }
    return c != 0 ? c : Long.compare(seq, o.seq);
  }
}
