/** Architecture rules of core/: JDK only, no wall clock, no unseeded randomness (ArchUnit). */
package io.hpcwhisk.core.arch;
