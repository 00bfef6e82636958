package io.hpcwhisk.simulator.faas;

import io.hpcwhisk.simulator.swf.TextFiles;
import io.hpcwhisk.simulator.trace.TraceFormatException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Activation streams in arrival order, synthetic (Poisson, Zipf(1), exponential durations) or from
 * the Azure Functions 2019 trace; the syntax, defaults and memory cost are stated in
 * docs/simulator-guide.md, "FaaS layer (--invocations)".
 */
public final class InvocationSources {

  private InvocationSources() {}

  public static Iterator<Invocation> open(String spec, long horizonMs) {
    if (spec.startsWith("synthetic:") || spec.equals("synthetic")) {
      return synthetic(
          parse(spec.substring(Math.min(spec.length(), "synthetic:".length()))), horizonMs);
    }
    if (spec.startsWith("azure:")) {
      String[] parts = spec.substring(6).split(",");
      Map<String, String> options =
          parse(String.join(",", Arrays.copyOfRange(parts, 1, parts.length)));
      return azure(Path.of(parts[0]), options);
    }
    throw new IllegalArgumentException(
        "--invocations '"
            + spec
            + "': expected synthetic:KEY=VALUE,... or "
            + "azure:FILE[,durations=FILE][,sample=P][,seed=S]");
  }

  static Map<String, String> parse(String body) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : body.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("invocations option '" + part + "' is not KEY=VALUE");
      }
      out.put(part.substring(0, eq).strip(), part.substring(eq + 1).strip());
    }
    return out;
  }

  static Iterator<Invocation> synthetic(Map<String, String> o, long horizonMs) {
    double rate = Double.parseDouble(o.getOrDefault("rate", "1"));
    int actions = Integer.parseInt(o.getOrDefault("actions", "50"));
    double meanDuration = Double.parseDouble(o.getOrDefault("duration", "1000"));
    int memory = Integer.parseInt(o.getOrDefault("memory", "256"));
    long end =
        o.containsKey("hours")
            ? (long) (Double.parseDouble(o.get("hours")) * 3_600_000)
            : horizonMs;
    SplittableRandom random = new SplittableRandom(Long.parseLong(o.getOrDefault("seed", "1")));
    if (!(rate > 0) || actions < 1 || meanDuration < 0 || memory < 1) {
      throw new IllegalArgumentException(
          "synthetic invocations need rate > 0, actions >= 1, duration >= 0, memory"
              + " >= 1, got "
              + o);
    }
    double[] cumulative = new double[actions];
    double sum = 0;
    for (int i = 0; i < actions; i++) {
      sum += 1.0 / (i + 1);
      cumulative[i] = sum;
    }
    double total = sum;
    return new Iterator<>() {
      double clock;
      Invocation next = advance();

      private Invocation advance() {
        clock += -Math.log(1 - random.nextDouble()) * 1000 / rate;
        if (clock > end) {
          return null;
        }
        double u = random.nextDouble() * total;
        int index = Arrays.binarySearch(cumulative, u);
        index = index >= 0 ? index : -index - 1;
        long duration = Math.round(-Math.log(1 - random.nextDouble()) * meanDuration);
        return new Invocation(
            (long) clock,
            "/guest/action" + Math.min(index, actions - 1) + "@0.0.1",
            duration,
            memory);
      }

      @Override
      public boolean hasNext() {
        return next != null;
      }

      @Override
      public Invocation next() {
        if (next == null) {
          throw new NoSuchElementException();
        }
        Invocation out = next;
        next = advance();
        return out;
      }
    };
  }

  static Iterator<Invocation> azure(Path file, Map<String, String> o) {
    double sample = Double.parseDouble(o.getOrDefault("sample", "1"));
    SplittableRandom random = new SplittableRandom(Long.parseLong(o.getOrDefault("seed", "1")));
    Map<String, Long> durations =
        o.containsKey("durations") ? azureDurations(Path.of(o.get("durations"))) : Map.of();
    List<String> names = new ArrayList<>();
    List<int[]> perMinute = new ArrayList<>();
    String source = file.toString();
    try (BufferedReader in = TextFiles.open(file)) {
      String header = in.readLine();
      if (header == null) {
        throw new TraceFormatException(
            source, 0, "file", "an Azure Functions invocations CSV header", "an empty file");
      }
      String[] columns = header.split(",", -1);
      if (columns.length != 1444 || !columns[2].equals("HashFunction") || !columns[4].equals("1")) {
        throw new TraceFormatException(
            source,
            1,
            "header",
            "HashOwner,HashApp,HashFunction,Trigger,1,...,1440",
            columns.length + " columns starting " + TraceFormatException.quote(header));
      }
      String line;
      long lineNo = 1;
      while ((line = in.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        String[] f = line.split(",", -1);
        if (f.length != 1444) {
          throw new TraceFormatException(
              source, lineNo, "line", "1444 comma-separated fields", f.length + " fields");
        }
        int[] counts = new int[1440];
        for (int m = 0; m < 1440; m++) {
          try {
            counts[m] = Integer.parseInt(f[4 + m]);
          } catch (NumberFormatException e) {
            throw new TraceFormatException(
                source,
                lineNo,
                "minute " + (m + 1),
                "an invocation count",
                TraceFormatException.quote(f[4 + m]));
          }
        }
        names.add(f[0] + "/" + f[1] + "/" + f[2]);
        perMinute.add(counts);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return new Iterator<>() {
      int minute = -1;
      final PriorityQueue<Invocation> buffer =
          new PriorityQueue<>(Comparator.comparingLong(Invocation::arrivalMs));

      @Override
      public boolean hasNext() {
        while (buffer.isEmpty() && minute < 1439) {
          minute++;
          for (int i = 0; i < names.size(); i++) {
            int count = perMinute.get(i)[minute];
            for (int c = 0; c < count; c++) {
              if (sample < 1 && random.nextDouble() >= sample) {
                continue;
              }
              long at = minute * 60_000L + random.nextLong(60_000);
              String name = names.get(i);
              buffer.add(
                  new Invocation(at, "/" + name + "@0", durations.getOrDefault(name, 1000L), 256));
            }
          }
        }
        return !buffer.isEmpty();
      }

      @Override
      public Invocation next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        return buffer.poll();
      }
    };
  }

  static Map<String, Long> azureDurations(Path file) {
    Map<String, Long> out = new HashMap<>();
    String source = file.toString();
    try (BufferedReader in = TextFiles.open(file)) {
      String header = in.readLine();
      if (header == null || !header.startsWith("HashOwner,HashApp,HashFunction,Average")) {
        throw new TraceFormatException(
            source,
            header == null ? 0 : 1,
            "header",
            "HashOwner,HashApp,HashFunction,Average,...",
            header == null ? "an empty file" : TraceFormatException.quote(header));
      }
      String line;
      long lineNo = 1;
      while ((line = in.readLine()) != null) {
        lineNo++;
        String[] f = line.split(",", -1);
        if (f.length < 4) {
          throw new TraceFormatException(
              source, lineNo, "line", "at least 4 fields", f.length + " fields");
        }
        try {
          out.put(f[0] + "/" + f[1] + "/" + f[2], Math.round(Double.parseDouble(f[3])));
        } catch (NumberFormatException e) {
          throw new TraceFormatException(
              source, lineNo, "Average", "milliseconds", TraceFormatException.quote(f[3]));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    return out;
  }
}
