package dev.accel.hal;

/** What sort of processor a device is. */
public enum DeviceKind { CPU, GPU, NPU, OTHER }
