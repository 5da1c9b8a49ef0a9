package prunekit.recover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ScheduleTest {

    @Test
    void warmsUpLinearlyThenFollowsTheCosine() {
        Schedule s = new Schedule(2e-4, 10, 110);
        assertEquals(0, s.at(0));
        assertEquals(1e-4, s.at(5), 1e-15);
        assertEquals(2e-4, s.at(10), 1e-15);
        assertEquals(1e-4, s.at(60), 1e-15);                                   // half-way through the cosine
        assertEquals(2e-4 * 0.5 * (1 + Math.cos(Math.PI * 0.25)), s.at(35), 1e-15);
        assertTrue(s.at(109) > 0 && s.at(109) < 1e-7);
    }

    @Test
    void rejectsBadValuesNamingThem() {
        var e = assertThrows(IllegalArgumentException.class, () -> new Schedule(0, 0, 10));
        assertTrue(e.getMessage().contains("learning rate must be > 0, got 0.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Schedule(1e-4, 0, 0));
        assertTrue(e.getMessage().contains("steps must be >= 1, got 0"), e.getMessage());
    }
}
