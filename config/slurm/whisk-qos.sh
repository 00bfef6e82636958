#!/bin/sh
# HPC-Whisk, alternative to a partition: a preemptible QOS (needs accounting, slurmdbd). See docs/admin-guide.md.
# slurm.conf then uses PreemptType=preempt/qos and PreemptMode=CANCEL; batch QOSes list it in Preempt=.
set -e
sacctmgr -i add qos whisk-preemptible Priority=0 PreemptMode=cancel GraceTime=30
sacctmgr -i modify qos normal set Preempt+=whisk-preemptible
# Allow the controller's account to use it:
# sacctmgr -i modify user hpcwhisk set qos+=whisk-preemptible
