/**
 * The invoker pilot: the process a pilot job runs on a compute node.
 */
package io.hpcwhisk.pilot;
