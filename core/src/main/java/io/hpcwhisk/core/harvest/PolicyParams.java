package io.hpcwhisk.core.harvest;

/**
 * Typed parameters of a harvest policy, one record per policy, each with its defaults written next
 * to it. The configuration module's {@code PolicyParamsBinding} binds them from text ({@code
 * harvest.params}, {@code --policy-param}) with the project's one configuration reader.
 */
public sealed interface PolicyParams permits FibParams, VarParams, AdaptiveParams {

  /** The policy these parameters configure. */
  String policyName();
}
