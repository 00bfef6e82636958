/**
 * The Java action loop: a tiny program (JDK and Gson only) that a Java action's JVM runs. It loads
 * the action's jar and answers the pilot's JSON lines; the pilot copies this package and Gson into
 * a launcher jar so the action's class path holds nothing else of HPC-Whisk.
 */
package io.hpcwhisk.runtime.javaloop;
