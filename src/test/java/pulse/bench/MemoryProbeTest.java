package pulse.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MemoryProbeTest {

    private static final long MIB = 1024 * 1024;

    /** 512 MB is 488.28 MiB: a run at 488.5 MiB shows as "488" in whole MiB and is over the target all the same. */
    @Test
    void theRssTargetIsJudgedOnBytesNotOnWholeMebibytes() {
        long justOver = 488 * MIB + MIB / 2;
        long justUnder = 488 * MIB + MIB / 5;

        assertThat(MemoryProbe.mib(justOver)).isEqualTo(488);
        assertThat(MemoryProbe.underTarget(justOver)).isFalse();
        assertThat(MemoryProbe.mibTenths(justOver)).isEqualTo(488.5);
        assertThat(MemoryProbe.underTarget(justUnder)).isTrue();
        assertThat(MemoryProbe.mibTenths(justUnder)).isEqualTo(488.2);
        assertThat(MemoryProbe.underTarget(512_000_000L)).isFalse();
        assertThat(MemoryProbe.underTarget(-1)).isNull();
    }
}
