/** Benchmarks of the API server (main classes that print their figures; never run as tests). */
package io.hpcwhisk.bench.balancer;
