package io.hpcwhisk.app;

import io.hpcwhisk.balancer.auth.Identity;
import io.hpcwhisk.balancer.auth.IdentityStore;
import io.hpcwhisk.balancer.auth.NamespaceLimits;
import io.hpcwhisk.balancer.auth.StoredUser;
import io.hpcwhisk.balancer.entity.EntityPath;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code hpc-whisk admin user create|list|delete}: manages users (namespaces and their keys). */
@Command(
    name = "admin",
    mixinStandardHelpOptions = true,
    description = "Administer the HPC-Whisk server's users.",
    subcommands = {AdminCommand.User.class})
final class AdminCommand implements Runnable {

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  @Command(
      name = "user",
      mixinStandardHelpOptions = true,
      description =
          "Create, list, rotate the key of, or delete users. A user owns one namespace and"
              + " authenticates with the key (uuid:key, as for OpenWhisk) that create and rotate"
              + " print once: the server keeps only a salted digest of it. A running server picks"
              + " up changes within a second.")
  static final class User {

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    private PrintWriter out() {
      return spec.commandLine().getOut();
    }

    @Command(
        name = "create",
        mixinStandardHelpOptions = true,
        description =
            "Create a user owning NAMESPACE and print its key (uuid:key) once: only a salted digest"
                + " of it is stored, so it cannot be shown again (rotate gives a new one).")
    void create(
        @Parameters(
                paramLabel = "NAMESPACE",
                description = "Namespace (letters, digits, _ @ . - and spaces).")
            String namespace,
        @picocli.CommandLine.Mixin DataDirMixin where,
        @picocli.CommandLine.Mixin LimitsMixin limits) {
      EntityPath.requireName(namespace, "namespace");
      IdentityStore store = where.store();
      Identity created = store.create(namespace);
      if (!limits.limits().equals(NamespaceLimits.NONE)) {
        store.setLimits(namespace, limits.limits());
      }
      out().println(created.authKey());
    }

    @Command(
        name = "limits",
        mixinStandardHelpOptions = true,
        description =
            "Set the limits of NAMESPACE (the options given; others stay) and print its own limits;"
                + " without options only print them. Unset limits are the server's defaults (api:"
                + " section).")
    void limits(
        @Parameters(paramLabel = "NAMESPACE") String namespace,
        @picocli.CommandLine.Mixin DataDirMixin where,
        @picocli.CommandLine.Mixin LimitsMixin limits) {
      IdentityStore store = where.store();
      StoredUser user =
          limits.limits().equals(NamespaceLimits.NONE)
              ? store
                  .byNamespace(namespace)
                  .orElseThrow(
                      () ->
                          new IllegalArgumentException(
                              "no user owns namespace '" + namespace + "'"))
              : store.setLimits(namespace, limits.limits());
      NamespaceLimits own = user.limits() == null ? NamespaceLimits.NONE : user.limits();
      out().println("invocations-per-minute: " + orDefault(own.invocationsPerMinute()));
      out().println("concurrent-invocations: " + orDefault(own.concurrentInvocations()));
      out().println("fires-per-minute: " + orDefault(own.firesPerMinute()));
    }

    private static String orDefault(Integer value) {
      return value == null ? "default" : value.toString();
    }

    @Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description =
            "List users: namespace, uuid and key fingerprint (never a key). A user finds the"
                + " fingerprint of a key with: printf %%s \"$AUTH\" | sha256sum | cut -c1-16")
    void list(@picocli.CommandLine.Mixin DataDirMixin where) {
      out().println("namespace\tuuid\tkey fingerprint");
      for (StoredUser u : where.store().list()) {
        out().println(u.namespace() + "\t" + u.uuid() + "\t" + u.fingerprint());
      }
    }

    @Command(
        name = "rotate",
        mixinStandardHelpOptions = true,
        description =
            "Give the user of NAMESPACE a new key and print it (uuid:key) once; the old key stops"
                + " working (a running server within a second). Uuid, limits and entities stay.")
    void rotate(
        @Parameters(paramLabel = "NAMESPACE") String namespace,
        @picocli.CommandLine.Mixin DataDirMixin where) {
      Identity rotated = where.store().rotate(namespace);
      out().println(rotated.authKey());
    }

    @Command(
        name = "delete",
        mixinStandardHelpOptions = true,
        description =
            "Delete the user of NAMESPACE; its key stops working. Entities stay in the store.")
    void delete(
        @Parameters(paramLabel = "NAMESPACE") String namespace,
        @picocli.CommandLine.Mixin DataDirMixin where) {
      if (!where.store().delete(namespace)) {
        throw new IllegalArgumentException("no user owns namespace '" + namespace + "'");
      }
      out().println("deleted user of namespace " + namespace);
    }
  }

  /** A namespace's own limits. */
  static final class LimitsMixin {
    @Option(
        names = "--invocations-per-minute",
        paramLabel = "N",
        description = "Invocations per minute (429 above).")
    Integer invocationsPerMinute;

    @Option(
        names = "--concurrent-invocations",
        paramLabel = "N",
        description = "Activations in flight (429 above).")
    Integer concurrentInvocations;

    @Option(
        names = "--fires-per-minute",
        paramLabel = "N",
        description = "Trigger fires per minute (429 above).")
    Integer firesPerMinute;

    NamespaceLimits limits() {
      return new NamespaceLimits(invocationsPerMinute, concurrentInvocations, firesPerMinute);
    }
  }
}
