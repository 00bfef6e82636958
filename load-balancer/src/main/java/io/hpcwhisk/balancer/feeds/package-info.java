/**
 * Feeds run by the server itself: the {@code /whisk.system/alarms} package ({@code alarm} with a
 * cron schedule, {@code once} at a date, {@code interval} every so many minutes). A feed action is
 * invoked like any action, by the user's client, with {@code lifecycleEvent} (CREATE, READ, UPDATE,
 * DELETE, PAUSE, UNPAUSE) and {@code triggerName}; {@link FeedDispatcher} answers those invocations
 * in the server, {@link AlarmService} keeps each alarm in the server's store (so it survives
 * restarts) and fires its trigger through the trigger service with Quartz, as the user who created
 * it (counted against that namespace's limits). The caller's {@code authKey} is never used nor
 * kept: the server knows who invoked.
 */
package io.hpcwhisk.balancer.feeds;
