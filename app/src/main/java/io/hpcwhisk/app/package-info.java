/**
 * The hpc-whisk command line: one picocli subcommand class per verb, each a thin layer over the
 * module that does the work.
 */
package io.hpcwhisk.app;
