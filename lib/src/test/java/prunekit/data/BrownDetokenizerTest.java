package prunekit.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BrownDetokenizerTest {

    @Test
    void stripsTagsAndRejoinsPunctuationAndQuotes() {
        String tagged = "\n\n\t``/`` Only/rb a/at handful/nn ''/'' ,/, the/at jury/nn said/vbd (/( see/vb 1/cd )/) "
                + "--/-- Mr./np Allen/np Jr./np ./.\n\n\tIt's/pps+bez 3/4/cd done/vbn ?/. ?/.\n\n\t``/`` Who/wps is/bez it/pps ?/. ''/'' ?/.\n";
        assertEquals("\"Only a handful\", the jury said (see 1) -- Mr. Allen Jr. It's 3/4 done? \"Who is it?\"",
                BrownCorpus.text(tagged));
    }
}
