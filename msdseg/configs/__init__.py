"""Packaged experiment configs: taskXX/{unetpp,transunet,swin_transunet}.yaml."""
