package dev.accel.conformance;

import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;

import dev.accel.hal.Support;
import dev.accel.hal.op.Conv2d;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/**
 * Bad input on every available device, and on fake devices that show the contracts themselves
 * hold (a device supporting everything, and one whose capabilities refuse convolution).
 */
class BadInputContractTest {
    private static TestDevices devices;

    @BeforeAll
    static void open() {
        devices = TestDevices.open();
    }

    @AfterAll
    static void close() {
        devices.close();
    }

    @TestFactory
    Stream<DynamicNode> everyDevice() {
        List<DynamicNode> nodes = new ArrayList<>();
        for (TestDevices.Opened o : devices.devices) {
            nodes.add(dynamicContainer(o.device().info().id(), BadInputContracts.all(o.device(), o::openAgain)));
        }
        return nodes.stream();
    }

    @TestFactory
    Stream<DynamicNode> fakeDeviceSupportingEverything() {
        FakeDevice d = FakeDevice.correct();
        return Stream.of(dynamicContainer("fake:0", BadInputContracts.all(d, FakeDevice::correct).onClose(d::close)));
    }

    @TestFactory
    Stream<DynamicNode> fakeDeviceWithoutConvolution() {
        FakeDevice d = noConv();
        return Stream.of(dynamicContainer("fake:0 without Conv", BadInputContracts.all(d, BadInputContractTest::noConv)
                .onClose(d::close)));
    }

    private static FakeDevice noConv() {
        return new FakeDevice("fake:0", s -> s.op() instanceof Conv2d ? Support.unsupported("no convolution here")
                : Support.nativeSupport(), false, s -> false);
    }
}
