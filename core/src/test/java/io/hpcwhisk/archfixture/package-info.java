/**
 * Classes that stand in for core classes in the architecture rule tests: some break the rules on
 * purpose, to show that the rules catch them.
 */
package io.hpcwhisk.archfixture;
